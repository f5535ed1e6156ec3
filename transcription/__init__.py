"""transcription library."""

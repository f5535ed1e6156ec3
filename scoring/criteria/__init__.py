"""Built-in criterion scorers; importing this package registers them."""

from scoring.criteria import (  # noqa: F401
    closing,
    disclosure,
    empathy,
    greeting,
    resolution,
    scripted_phrasing,
)

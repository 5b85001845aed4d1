"""The candidate app's screens, one module per step of the sitting."""

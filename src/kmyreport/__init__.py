"""kmyreport: compile the editions of a Chinese city media centre from news copy and photos."""

__version__ = "0.1.0"

"""abatelink: linked carbon markets and joint abatement projects in Northeast Asia."""

__version__ = "0.1.0"

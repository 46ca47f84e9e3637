"""Thai NER Annotator: turn Thai news articles into gold named-entity data."""

__version__ = "0.1.0"

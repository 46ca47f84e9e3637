"""Thai text processing: tokens, pre-annotation, training. pythainlp is imported lazily."""

import os

# Never let pythainlp reach for a model hub: fail fast on anything not bundled.
os.environ.setdefault("PYTHAINLP_OFFLINE", "1")

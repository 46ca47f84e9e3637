"""Several annotators, one gold: split the work, measure agreement, merge, adjudicate.

* ``split``: one project per annotator, with a share of documents given to everyone;
* ``agreement``: entity F1 and token kappa between annotators' project files;
* ``merge``: every annotator's finished work in one project (``annotator.store.team``);
* ``adjudicate``: the conflicts of a merged project and the decision on each.
"""

from annotator.core.errors import AnnotatorError


class TeamError(AnnotatorError):
    """A split, agreement or merge that cannot be done as asked."""

    code = "E060"

"""A property computed on first read and kept on the instance, without a lock."""
from __future__ import annotations


class kept_property:
    """functools.cached_property without its lock: on Python 3.11 each first read takes a lock
    shared by every instance, and a question reads such properties of each of its ~30 passages
    (search/retrieval.py ScoredPassage); cached_property's own work was 1.6% of `Engine.ask` on
    the seeds' bench questions (py-spy). Two threads reading one passage at once may each compute
    the value, which is the same."""

    def __init__(self, function) -> None:
        self.function = function
        self.name = function.__name__
        self.__doc__ = function.__doc__

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        value = instance.__dict__[self.name] = self.function(instance)  # read from there next time
        return value

"""A console callable for tests: ``Context(console=Recorder())`` keeps what JavaScript logged."""


class Recorder:
    """A console callable that records (level, message) pairs."""

    def __init__(self):
        self.calls = []

    def __call__(self, level, message):
        self.calls.append((level, message))

    @property
    def messages(self):
        return [message for _, message in self.calls]

import logging


def neutralise(text: str) -> str:
    """Make control characters visible, so input such as "alice\\nINFO signin ok" cannot
    forge a second log line or rewrite a terminal."""
    return "".join(ch if ch.isprintable() or ch == " " else f"\\x{ord(ch):02x}" for ch in text)


class NeutraliseControlCharacters(logging.Filter):
    def filter(self, record):
        message = record.getMessage()
        record.msg, record.args = neutralise(message), None
        return True

"""The CAPTCHA's picture and sound, drawn on our own server from the answer (sspr.reset.captcha
decides the answers; nothing here keeps any).

Picture: lepture's `captcha` ImageCaptcha (warped characters over noise) with its own font, so
no system font is needed. Sound: the digits spoken, each at a slightly different speed and
loudness and with a random pause, over quiet noise and reversed digits (babble that is not
speech), said twice with a longer pause between. English digits are the recordings shipped with
the `captcha` package; Spanish digits are spoken by espeak-ng (Debian's `espeak-ng`) when it is
installed, and fall back to the English recordings when it is not (`sspr check` warns).
The package's own AudioCaptcha mixes sample by sample in Python (over a second per clip); numpy
does the same in milliseconds."""

import io
import logging
import os
import secrets
import shutil
import subprocess
import wave
from functools import cache

import numpy as np

log = logging.getLogger("sspr.reset")

RATE = 8000  # samples per second: telephone quality is plenty for spoken digits
ESPEAK_VOICES = {"es": "es-419"}  # Latin American Spanish
WIDTH, HEIGHT = 300, 90


class SpeechUnavailable(RuntimeError):
    pass


# --- the picture -----------------------------------------------------------------------------

@cache
def _image_captcha():
    from captcha.image import ImageCaptcha

    class Readable(ImageCaptcha):
        # Milder than the package's defaults: a person must read it on a phone, and the
        # alphabet (no 0/O, 1/I/L, 2/Z, 5/S, 8/B) already spares them look-alikes.
        character_rotate = (-15, 15)
        word_offset_dx = 0.08
        word_space_probability = 0.75

    return Readable(width=WIDTH, height=HEIGHT, font_sizes=(54, 60, 64))


def png(text: str) -> bytes:
    # Light characters on a dark ground, whatever shades chance picks: the package pastes each
    # character through a mask made from its brightness, so dark ink would come out faint.
    ink = (*(secrets.randbelow(30) + 226 for _ in range(3)), 255)
    paper = tuple(secrets.randbelow(40) + 15 for _ in range(3))
    image = _image_captcha().generate_image(text, bg_color=paper, fg_color=ink)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


# --- the sound -------------------------------------------------------------------------------

def _samples(data: bytes) -> tuple[np.ndarray, int]:
    """A WAV file's first channel as floats in [-1, 1], and its sample rate."""
    with wave.open(io.BytesIO(data)) as clip:
        rate, width, channels = clip.getframerate(), clip.getsampwidth(), clip.getnchannels()
        frames = clip.readframes(clip.getnframes())
    if width == 1:
        signal = (np.frombuffer(frames, dtype=np.uint8).astype(np.float64) - 128) / 128
    elif width == 2:
        signal = np.frombuffer(frames, dtype="<i2").astype(np.float64) / 32768
    else:
        raise ValueError(f"unsupported sample width {width}")
    return signal[::channels], rate


def _resample(signal: np.ndarray, factor: float) -> np.ndarray:
    """Stretch (factor > 1: longer, lower) by linear interpolation."""
    length = max(1, round(len(signal) * factor))
    return np.interp(np.linspace(0, len(signal) - 1, length), np.arange(len(signal)), signal)


def _trim(signal: np.ndarray) -> np.ndarray:
    loud = np.flatnonzero(np.abs(signal) > 0.02 * max(np.abs(signal).max(), 1e-9))
    return signal[loud[0]:loud[-1] + 1] if len(loud) else signal


def _normalise(signal: np.ndarray) -> np.ndarray:
    return signal * (0.9 / max(np.abs(signal).max(), 1e-9))


@cache
def _recorded_digits() -> dict[str, np.ndarray]:
    from captcha.audio import DATA_DIR

    voices = {}
    for digit in "0123456789":
        with open(os.path.join(DATA_DIR, digit, "default.wav"), "rb") as handle:
            signal, rate = _samples(handle.read())
        voices[digit] = _normalise(_trim(_resample(signal, RATE / rate)))
    return voices


@cache
def _beep() -> np.ndarray:
    from captcha.audio import DATA_DIR

    with open(os.path.join(DATA_DIR, "beep.wav"), "rb") as handle:
        signal, rate = _samples(handle.read())
    return 0.5 * _normalise(_resample(signal, RATE / rate))


def espeak() -> str | None:
    return shutil.which("espeak-ng")


@cache
def _spoken_digits(voice: str) -> dict[str, np.ndarray]:
    """Each digit spoken once by espeak-ng, kept for the life of the process."""
    program = espeak()
    if program is None:
        raise SpeechUnavailable("espeak-ng is not installed (Debian: apt-get install espeak-ng)")
    running: dict[str, subprocess.Popen] = {}
    try:  # all ten at once: the first Spanish clip of a process waits for one, not ten
        for digit in "0123456789":
            running[digit] = subprocess.Popen([program, "-v", voice, "-s", "140", "--stdout", digit],
                                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        spoken = {digit: process.communicate(timeout=10)[0] for digit, process in running.items()}
    except (OSError, ValueError, subprocess.SubprocessError) as exc:
        raise SpeechUnavailable(f"espeak-ng failed: {exc}") from exc
    finally:
        for process in running.values():
            if process.poll() is None:
                process.kill()
                process.communicate()
    voices = {}
    for digit, data in spoken.items():
        if running[digit].returncode != 0 or not data:
            raise SpeechUnavailable(f"espeak-ng failed: exit status {running[digit].returncode} for voice {voice}")
        signal, rate = _samples(data)
        # A moving average before going down to 8 kHz keeps the highs from folding back as hiss.
        signal = np.convolve(signal, np.ones(3) / 3, mode="same")
        voices[digit] = _normalise(_trim(_resample(signal, RATE / rate)))
    return voices


def digit_voices(language: str) -> dict[str, np.ndarray]:
    voice = ESPEAK_VOICES.get((language or "en").split("-")[0])
    if voice:
        try:
            return _spoken_digits(voice)
        except SpeechUnavailable as exc:
            log.warning("audio CAPTCHA in %s: %s; speaking English digits instead", language, exc)
    return _recorded_digits()


def _silence(seconds: float) -> np.ndarray:
    return np.zeros(int(RATE * seconds))


def _babble(length: int, voices: dict[str, np.ndarray], rng: np.random.Generator) -> np.ndarray:
    """Quiet noise plus reversed digits: sounds like speech to a machine, not to a person."""
    background = rng.normal(0, 0.015, length)
    position = int(RATE * rng.uniform(0, 0.3))
    while position < length:
        sound = voices[str(rng.integers(10))][::-1] * rng.uniform(0.1, 0.18)
        sound = _resample(sound, rng.uniform(0.8, 1.2))[:length - position]
        background[position:position + len(sound)] += sound
        position += len(sound) + int(RATE * rng.uniform(0.05, 0.4))
    return background


def wav(digits: str, language: str = "en") -> bytes:
    """The digits spoken twice, as a 16-bit mono WAV file."""
    voices = digit_voices(language)
    rng = np.random.default_rng(secrets.randbits(128))
    parts = [_beep(), _silence(0.25), _beep(), _silence(0.6)]
    for repeat in range(2):
        for digit in digits:
            parts.append(_resample(voices[digit], rng.uniform(0.92, 1.1)) * rng.uniform(0.8, 1.0))
            parts.append(_silence(rng.uniform(0.45, 0.85)))
        parts.append(_silence(1.2) if repeat == 0 else _beep())
    speech = np.concatenate(parts)
    signal = np.clip(speech + _babble(len(speech), voices, rng), -1, 1)
    out = io.BytesIO()
    with wave.open(out, "wb") as clip:
        clip.setnchannels(1)
        clip.setsampwidth(2)
        clip.setframerate(RATE)
        clip.writeframes((signal * 32767).astype("<i2").tobytes())
    return out.getvalue()

"""What the voice channel itself says (outside IVR flows), in English and Spanish.

Flow prompts live in config/ivr/*.yaml; these are the queue, exit and transfer messages.
"""

from __future__ import annotations

from typing import Any

TEXTS: dict[str, dict[str, str]] = {
    "position": {
        "en": "You are number {position} in the queue.",
        "es": "Usted es el número {position} en la cola.",
    },
    "wait_minutes": {
        "en": "Your estimated wait is about {minutes} minutes.",
        "es": "Su tiempo de espera estimado es de unos {minutes} minutos.",
    },
    "wait_soon": {
        "en": "An agent will be with you shortly.",
        "es": "Un agente le atenderá en breve.",
    },
    "callback_offer": {
        "en": "To be called back without losing your place, press {key}.",
        "es": "Para que le llamemos sin perder su turno, pulse {key}.",
    },
    "callback_confirm": {
        "en": "We will call you back when it is your turn. Your place is kept. Goodbye.",
        "es": "Le llamaremos cuando sea su turno. Conservamos su lugar. Adiós.",
    },
    "exit_voicemail": {
        "en": "Sorry, all our agents are busy. Please leave a message after the tone.",
        "es": "Lo sentimos, todos nuestros agentes están ocupados. Deje un mensaje tras la señal.",
    },
    "exit_callback": {
        "en": "Sorry, all our agents are busy. We will call you back as soon as we can. Goodbye.",
        "es": "Lo sentimos, todos nuestros agentes están ocupados. Le llamaremos lo antes "
        "posible. Adiós.",
    },
    "exit_message": {
        "en": "Sorry, all our agents are busy. Please call again later. Goodbye.",
        "es": "Lo sentimos, todos nuestros agentes están ocupados. Llame más tarde. Adiós.",
    },
    "transfer_failed": {
        "en": "Sorry, that line is not answering. Let me connect you to one of our agents.",
        "es": "Lo sentimos, esa línea no contesta. Le comunicamos con uno de nuestros agentes.",
    },
    # Left on an answering machine after the beep (callbacks and click-to-dial); an empty text
    # hangs up instead.
    "machine_message": {
        "en": "Hello, this is Acme customer service returning your call. We are sorry we missed "
        "you. Please call us back at your convenience. Goodbye.",
        "es": "Hola, le llama el servicio de atención al cliente de Acme para devolverle la "
        "llamada. Lamentamos no haberle encontrado. Llámenos cuando le convenga. Adiós.",
    },
    "connecting": {
        "en": "Connecting you now.",
        "es": "Le comunicamos ahora.",
    },
}
LOCALES = {"en": "en-US", "es": "es-MX"}
VOICES = {"en": "Polly.Joanna", "es": "Polly.Lupe"}


def text(name: str, language: str, **values: Any) -> str:
    options = TEXTS[name]
    return options.get(language, options["en"]).format(**values)


def say_options(language: str) -> dict[str, str]:
    lang = language if language in LOCALES else "en"
    return {"voice": VOICES[lang], "language": LOCALES[lang]}

"""The LLM falsifiability check: one Chat Completions call with a strict JSON schema."""

from __future__ import annotations

import re

import pydantic
from openai import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    OpenAI,
    OpenAIError,
    RateLimitError,
)
from openai.types.chat import ChatCompletion, ChatCompletionMessageParam
from openai.types.shared_params import ResponseFormatJSONSchema
from pydantic import BaseModel, ConfigDict

from bot.core.settings import Settings
from bot.falsifiability.properties import REWRITE_SHAPE, check_properties
from bot.falsifiability.rewrite import build_rewrite, keep_numbers
from bot.falsifiability.rules import find_elements
from bot.falsifiability.verdict import (
    ELEMENT_ORDER,
    REQUIRED_ELEMENTS,
    Element,
    VagueFamily,
    VagueTerm,
    Verdict,
)
from prompts import render

__all__ = ["REWRITE_SHAPE", "LLMCheckError", "build_messages", "check_llm", "make_client"]
# A statement that closes the delimiter could smuggle text out of the data block.
_DELIMITER = re.compile(r"</?\s*statement\s*>", re.IGNORECASE)
_BRACKETED = re.compile(r"\[[^\]]*\]")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


class LLMCheckError(Exception):
    """The LLM check failed; `reason` says why in words a person reads."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class FoundElement(BaseModel):
    """An element the statement contains, in its own words."""

    model_config = ConfigDict(extra="forbid")

    element: Element
    text: str


class FoundVagueTerm(BaseModel):
    """A vague phrase as written in the statement, with its family."""

    model_config = ConfigDict(extra="forbid")

    term: str
    family: VagueFamily


class LLMReply(BaseModel):
    """The reply the model must give; strict-schema compatible (all required, no extras)."""

    model_config = ConfigDict(extra="forbid")

    # Evidence first, verdict after: the model commits to what it found before labelling.
    elements_found: list[FoundElement]
    missing: list[Element]
    vague_terms: list[FoundVagueTerm]
    explanation: str
    vague: bool
    rewrite: str


# Built once: given the model class instead, the SDK rebuilds this JSON schema on every
# call, milliseconds of CPU holding the GIL while the web worker's acks wait for it. Made
# from public pieces, it equals what the SDK's private helper builds for these models
# (every object forbids extra keys and requires every field), so no SDK internals are used.
RESPONSE_FORMAT: ResponseFormatJSONSchema = {
    "type": "json_schema",
    "json_schema": {"name": "LLMReply", "schema": LLMReply.model_json_schema(), "strict": True},
}


def make_client(settings: Settings) -> OpenAI | None:
    """Return an OpenAI client for `settings`, or None when no API key is set."""
    if not settings.llm_enabled:
        return None
    client = OpenAI(
        api_key=settings.openai_api_key,
        base_url=settings.openai_base_url or None,
        timeout=settings.gatebot_llm_timeout,
        max_retries=0,  # a slow answer is worse than the rules verdict: fall back, do not wait
    )
    # Load now what the first checks would: the SDK's chat modules (imported lazily) and the
    # prompt templates (compiled on first use by every thread racing to it). Left to the
    # first burst of /hypothesis, that holds the GIL while the burst's acks wait.
    _ = client.chat.completions
    build_messages("")
    return client


def build_messages(text: str) -> list[ChatCompletionMessageParam]:
    """Return the system and user messages for checking `text`."""
    system = render(
        "falsifiability_system.j2",
        required=REQUIRED_ELEMENTS,
        elements=ELEMENT_ORDER,
        families=list(VagueFamily),
        output_family=VagueFamily.OUTPUT_NOT_OUTCOME,
        shape=REWRITE_SHAPE,
    )
    user = render("falsifiability_user.j2", statement=_DELIMITER.sub("", text).strip())
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


def check_llm(text: str, *, client: OpenAI, model: str, timeout: float) -> Verdict:
    """Check `text` with the model; raise LLMCheckError on any failure."""
    messages = build_messages(text)
    try:
        # Retries off here too: the client may not come from make_client.
        completion = client.with_options(max_retries=0, timeout=timeout).chat.completions.create(
            model=model, messages=messages, response_format=RESPONSE_FORMAT
        )
        reply = _reply_from(completion)
    except LLMCheckError:
        raise
    except Exception as error:  # any failure of the model service must end in the fallback
        raise LLMCheckError(_reason(error, timeout=timeout)) from error
    return _verdict_from(reply, text=text)


def _reply_from(completion: ChatCompletion) -> LLMReply:
    if not completion.choices:
        raise LLMCheckError("the model sent no answer")
    choice = completion.choices[0]
    if choice.finish_reason == "length":
        raise LLMCheckError("the reply was cut off at the length limit")
    if choice.finish_reason == "content_filter":
        raise LLMCheckError("the reply was blocked by the content filter")
    if choice.message.refusal:
        raise LLMCheckError("the model refused")
    if not choice.message.content:
        raise LLMCheckError("the model sent an empty reply")
    return LLMReply.model_validate_json(choice.message.content)


def _reason(error: Exception, *, timeout: float) -> str:
    # Built from the error type and status only: bodies can echo request details.
    if isinstance(error, APITimeoutError):
        return f"the model took longer than {timeout:g}s"
    if isinstance(error, APIConnectionError):
        return "could not reach the model service"
    if isinstance(error, RateLimitError):
        return "rate limited by the model service (429)"
    if isinstance(error, AuthenticationError):
        return "the model service rejected the API key (401)"
    if isinstance(error, APIStatusError):
        return f"the model service answered {error.status_code}"
    if isinstance(error, pydantic.ValidationError):
        if any(e["type"] == "json_invalid" for e in error.errors()):
            return "reply was not valid JSON"
        return "reply did not match the expected schema"
    if isinstance(error, OpenAIError):
        return f"the model call failed ({type(error).__name__})"
    return f"unexpected error talking to the model ({type(error).__name__})"


def _verdict_from(reply: LLMReply, *, text: str) -> Verdict:
    found: dict[Element, str] = {}
    for item in reply.elements_found:
        if item.text.strip():
            found.setdefault(item.element, item.text.strip())
    missing = [e for e in ELEMENT_ORDER if e in reply.missing]
    rewrite = checked_rewrite(reply.rewrite, text=text, elements=found)
    return Verdict(
        # The rubric is not negotiable: a missing required element makes it vague.
        vague=reply.vague or any(e in missing for e in REQUIRED_ELEMENTS),
        missing=missing,
        # A term the team never wrote would put words in their mouth: drop it.
        vague_terms=[
            VagueTerm(term=t.term, family=t.family)
            for t in reply.vague_terms
            if t.term.strip() and t.term.casefold() in text.casefold()
        ],
        elements={e: found[e] for e in ELEMENT_ORDER if e in found},
        explanation=reply.explanation.strip(),
        rewrite=rewrite,
        checker="llm",
    )


def checked_rewrite(rewrite: str, *, text: str, elements: dict[Element, str]) -> str:
    """Return the model's rewrite when it keeps the five properties, repaired, or the rules'.

    A dropped number is put back in the team's words; a rewrite that invents a number or a
    word, repeats a phrase, turns a bound round or drops the team's condition gives way to the
    rules' rewrite from the model's elements, or from the rules' own when that one fails too.
    """
    candidate = " ".join(rewrite.split())
    if candidate and not _invents_numbers(rewrite=candidate, text=text):
        if not candidate.endswith("."):
            candidate += "."
        for attempt in (candidate, keep_numbers(text, candidate)):
            if check_properties(statement=text, rewrite=attempt).ok:
                return attempt
    from_model = build_rewrite(text=text, elements=elements)
    if check_properties(statement=text, rewrite=from_model).ok:
        return from_model
    return build_rewrite(text=text, elements=find_elements(" ".join(text.split())))


def _invents_numbers(*, rewrite: str, text: str) -> bool:
    """Return whether the rewrite states, outside [brackets], a number the team never wrote."""
    written = set(_NUMBER.findall(text))
    return any(n not in written for n in _NUMBER.findall(_BRACKETED.sub("", rewrite)))

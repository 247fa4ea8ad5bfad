"""Every change that alters what a turn's search document says goes to the outbox.

A transcript's documents are recomputed whole, so each signal only says which transcripts
changed: a transcript (and its translations or original, whose documents hold its text),
the transcripts a speaker or topic appears in. Bulk writes (`bulk_create`, `update`) send no
signals: `transcript_import` saves the transcript itself, which covers its turns.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save

from archive.models import Appearance, Speaker, Topic, Transcript, Turn
from archive.search.outbox import enqueue, enqueue_many


def transcript_family(transcript: Transcript) -> set[int]:
    """The transcript, its original and its translations: their documents quote each other."""
    ids = {transcript.pk}
    q = Q(translation_of_slug=transcript.slug) | Q(translation_of_id=transcript.pk)
    if transcript.translation_of_slug:
        q |= Q(slug=transcript.translation_of_slug) | Q(translation_of_slug=transcript.translation_of_slug)
    ids.update(Transcript.objects.filter(q).values_list("pk", flat=True))
    return ids


def _transcript_changed(sender: Any, instance: Transcript, **kwargs: Any) -> None:
    # The family look-up runs once per transaction, and again on every save of a translation:
    # an import creates the row first and names its original only in a second save, and the
    # original (whose documents quote the translation) must be queued by that second one.
    if enqueue(instance.pk) or instance.translation_of_slug:
        enqueue_many(transcript_family(instance))


def _transcript_saving(sender: Any, instance: Transcript, **kwargs: Any) -> None:
    """A translation that changes its original: the one it leaves quotes it no more."""
    if instance.pk is None:
        return
    before = Transcript.objects.filter(pk=instance.pk).values_list("translation_of_slug", flat=True).first()
    if before and before != instance.translation_of_slug:
        enqueue_many(set(Transcript.objects.filter(slug=before).values_list("pk", flat=True)))


def _transcript_deleting(sender: Any, instance: Transcript, **kwargs: Any) -> None:
    enqueue_many(transcript_family(instance))


def _turn_changed(sender: Any, instance: Turn, **kwargs: Any) -> None:
    transcript_id = instance.transcript_id
    if not enqueue(transcript_id):
        return  # this transaction already queued the transcript (a re-import deleting its turns)
    transcript = Transcript.objects.filter(pk=transcript_id).first()
    if transcript is not None and (transcript.translation_of_slug or transcript.translations.exists()):
        enqueue_many(transcript_family(transcript))


def _appearance_changed(sender: Any, instance: Appearance, **kwargs: Any) -> None:
    enqueue(instance.transcript_id)


def _speaker_changed(sender: Any, instance: Speaker, **kwargs: Any) -> None:
    if kwargs.get("created"):
        return  # a new speaker has no turns yet
    enqueue_many(set(Turn.objects.filter(speaker=instance).values_list("transcript_id", flat=True)))


def _topic_transcripts(topic_ids: set[int]) -> set[int]:
    ids = set(Transcript.objects.filter(topics__in=topic_ids).values_list("pk", flat=True))
    ids.update(Turn.objects.filter(topics__in=topic_ids).values_list("transcript_id", flat=True))
    return ids


def _topic_changed(sender: Any, instance: Topic, **kwargs: Any) -> None:
    if kwargs.get("created"):
        return
    enqueue_many(_topic_transcripts({instance.pk}))


def _topics_m2m(
    sender: Any, instance: Any, action: str, reverse: bool, pk_set: set[int] | None, **kwargs: Any
) -> None:
    if action not in ("post_add", "post_remove", "pre_clear"):
        return
    on_turns = sender is Turn.topics.through
    if not reverse:  # instance is the Transcript or Turn
        enqueue(instance.transcript_id if on_turns else instance.pk)
        return
    # instance is a Topic; pk_set the transcripts or turns (None on clear: every one it has)
    if action == "pre_clear":
        enqueue_many(_topic_transcripts({instance.pk}))
    elif on_turns:
        enqueue_many(set(Turn.objects.filter(pk__in=pk_set or ()).values_list("transcript_id", flat=True)))
    else:
        enqueue_many(set(pk_set or ()))


def connect() -> None:
    uid = "archive.search"
    post_save.connect(_transcript_changed, sender=Transcript, dispatch_uid=f"{uid}.transcript.save")
    pre_save.connect(_transcript_saving, sender=Transcript, dispatch_uid=f"{uid}.transcript.saving")
    pre_delete.connect(_transcript_deleting, sender=Transcript, dispatch_uid=f"{uid}.transcript.delete")
    post_save.connect(_turn_changed, sender=Turn, dispatch_uid=f"{uid}.turn.save")
    post_delete.connect(_turn_changed, sender=Turn, dispatch_uid=f"{uid}.turn.delete")
    post_save.connect(_appearance_changed, sender=Appearance, dispatch_uid=f"{uid}.appearance.save")
    post_delete.connect(_appearance_changed, sender=Appearance, dispatch_uid=f"{uid}.appearance.delete")
    post_save.connect(_speaker_changed, sender=Speaker, dispatch_uid=f"{uid}.speaker.save")
    post_save.connect(_topic_changed, sender=Topic, dispatch_uid=f"{uid}.topic.save")
    pre_delete.connect(_topic_changed, sender=Topic, dispatch_uid=f"{uid}.topic.delete")
    m2m_changed.connect(
        _topics_m2m, sender=Transcript.topics.through, dispatch_uid=f"{uid}.transcript.topics"
    )
    m2m_changed.connect(_topics_m2m, sender=Turn.topics.through, dispatch_uid=f"{uid}.turn.topics")

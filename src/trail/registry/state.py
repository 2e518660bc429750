"""The registry as GTO 1.10 reads it from Git tags: artifacts, their versions, and which
version each stage holds.

The rules are GTO's, kept exactly (its ``show --json`` and ``history --json`` are the reference,
checked by the compatibility tests): events are ordered by time, and events of the same second
keep the order GTO gives them — tags by name, then sorted by time, and newest-first lists made by
reversing an oldest-first sort. A version is *registered* by a ``NAME@vX.Y.Z`` tag; a stage holds
a version from its latest assignment until an unassignment; an artifact is active unless its
latest event deprecates it. The commit a version points to is an event too (GTO's
*enrichment*), which is what makes a version assigned a stage without registration visible.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from trail.registry import semver
from trail.registry.names import Action, TagName, parse_tag
from trail.scm.tags import AnnotatedTag

if TYPE_CHECKING:  # times are made only for output: ``show`` of the registry needs none
    import datetime

COMMIT = "commit"
_KIND = {
    Action.DEPRECATE: "deprecation",
    Action.REGISTER: "registration",
    Action.DEREGISTER: "deregistration",
    Action.ASSIGN: "assignment",
    Action.UNASSIGN: "unassignment",
}
_PRIORITY = {
    COMMIT: 0,
    "creation": 1,
    "deprecation": 2,
    "registration": 3,
    "deregistration": 4,
    "assignment": 5,
    "unassignment": 6,
}
_ADDITION = {"commit", "creation", "registration", "assignment"}


_ZONES: dict[int, datetime.timezone] = {}


def when(seconds: int, offset: int) -> datetime.datetime:
    """The moment as GTO gives it: in the zone the tag or commit was made in."""
    import datetime

    tz = _ZONES.get(offset)
    if tz is None:
        tz = _ZONES[offset] = datetime.timezone(datetime.timedelta(seconds=offset))
    return datetime.datetime.fromtimestamp(seconds, tz=tz)


@dataclass(frozen=True, slots=True)
class Event:
    """One thing that happened to an artifact: a tag (``tag`` set) or a commit."""

    kind: str  # "registration", "assignment", … or "commit"
    artifact: str
    ts: int  # seconds since the epoch: what events are ordered by
    offset: int  # the UTC offset it was recorded with, in seconds
    author: str
    author_email: str
    message: str
    commit_hexsha: str
    tag: str | None = None
    version: str | None = None
    stage: str | None = None
    committer: str = ""
    committer_email: str = ""

    @property
    def created_at(self) -> datetime.datetime:
        return when(self.ts, self.offset)

    @property
    def priority(self) -> int:
        return _PRIORITY[self.kind]

    @property
    def addition(self) -> bool:
        return self.kind in _ADDITION

    @property
    def ref(self) -> str:
        return self.tag if self.tag is not None else self.commit_hexsha

    def to_dict(self, *, with_kind: bool = False) -> dict[str, Any]:
        d: dict[str, Any] = {
            "priority": self.priority,
            "addition": self.addition,
            "artifact": self.artifact,
            "created_at": self.created_at,
            "author": self.author,
            "author_email": self.author_email,
            "message": self.message,
            "commit_hexsha": self.commit_hexsha,
        }
        if self.kind == COMMIT:
            d |= {
                "version": self.version,
                "enrichments": [],
                "committer": self.committer,
                "committer_email": self.committer_email,
            }
        else:
            d["tag"] = self.tag
            if self.kind != "deprecation":
                d["version"] = self.version
            if self.stage is not None:
                d["stage"] = self.stage
        if with_kind:
            d["event"] = self.kind
        return d


def newest_first(events: Iterable[Event], ascending: bool = False) -> list[Event]:
    """Sorted by time; newest first unless ``ascending`` (ties reversed too, as GTO does)."""
    ordered = sorted(events, key=_ts)
    return ordered if ascending else ordered[::-1]


def _ts(event: Event) -> int:
    return event.ts


def _authoring(direct: list[Event], indirect: list[Event]) -> Event:
    """The event an object is said to be made by: its latest direct addition, else its latest
    event."""
    for e in direct:
        if e.addition:
            return e
    return (indirect or direct)[0]


def _common(obj: VStage | Version) -> dict[str, Any]:
    author = obj.authoring
    return {
        "is_active": obj.is_active,
        "activated_at": obj.activated_at,
        "created_at": author.created_at,
        "author": author.author,
        "author_email": author.author_email,
        "message": author.message,
        "ref": author.ref,
    }


@dataclass
class VStage:
    """A stage of one version: its assignments and unassignments."""

    artifact: str
    commit_hexsha: str
    version: str
    stage: str
    assignments: list[Event] = field(default_factory=list)
    unassignments: list[Event] = field(default_factory=list)
    _events: list[Event] | None = field(default=None, repr=False, compare=False)

    def add(self, event: Event) -> None:
        target = self.assignments if event.kind == "assignment" else self.unassignments
        target.append(event)
        target.sort(key=_ts)
        self._events = None

    def events(self, ascending: bool = False) -> list[Event]:
        if self._events is None:
            self._events = newest_first(self.assignments + self.unassignments)
        return self._events[::-1] if ascending else self._events

    @property
    def is_active(self) -> bool:
        events = self.events()
        return bool(events) and events[0].kind == "assignment"

    @property
    def activated(self) -> Event | None:
        """The assignment that holds the stage now (None once unassigned)."""
        events = self.events()
        return events[0] if events and events[0].kind == "assignment" else None

    @property
    def activated_at(self) -> datetime.datetime | None:
        found = self.activated
        return found.created_at if found is not None else None

    @property
    def authoring(self) -> Event:
        return _authoring(self.events(), [])

    def to_dict(self) -> dict[str, Any]:
        return {
            "artifact": self.artifact,
            "commit_hexsha": self.commit_hexsha,
            "version": self.version,
            "stage": self.stage,
            "assignments": [e.to_dict(with_kind=True) for e in self.assignments],
            "unassignments": [e.to_dict(with_kind=True) for e in self.unassignments],
            **_common(self),
        }


@dataclass
class Version:
    """One version of an artifact: a commit, with the events about it."""

    artifact: str
    commit_hexsha: str
    version: str
    enrichments: list[Event] = field(default_factory=list)
    registrations: list[Event] = field(default_factory=list)
    deregistrations: list[Event] = field(default_factory=list)
    stages: dict[str, VStage] = field(default_factory=dict)
    _cache: dict[tuple[bool, bool], list[Event]] = field(
        default_factory=dict, repr=False, compare=False
    )

    def add(self, event: Event) -> None:
        self._cache.clear()
        if event.kind in ("assignment", "unassignment"):
            assert event.stage is not None
            vstage = self.stages.get(event.stage)
            if vstage is None:
                vstage = VStage(self.artifact, self.commit_hexsha, self.version, event.stage)
                self.stages[event.stage] = vstage
            vstage.add(event)
            return
        target = {
            "registration": self.registrations,
            "deregistration": self.deregistrations,
            COMMIT: self.enrichments,
        }[event.kind]
        target.append(event)
        target.sort(key=_ts)

    def events(
        self, *, direct: bool = True, indirect: bool = True, ascending: bool = False
    ) -> list[Event]:
        key = (direct, indirect)
        found = self._cache.get(key)
        if found is None:
            merged: list[Event] = []
            if direct:
                merged += self.registrations + self.deregistrations
            if indirect:
                merged += self.enrichments
                merged += [e for s in self.stages.values() for e in s.events()]
            found = self._cache[key] = newest_first(merged)
        return found[::-1] if ascending else found

    @property
    def is_active(self) -> bool:
        direct = self.events(indirect=False)
        if direct:
            return direct[0].kind == "registration"
        return bool(self.events(direct=False))

    @property
    def activated_at(self) -> datetime.datetime:
        if self.registrations:
            return self.registrations[0].created_at
        return self.events(ascending=True)[0].created_at

    @property
    def is_registered(self) -> bool:
        return bool(self.registrations)

    @property
    def discovered(self) -> bool:
        return not self.registrations and not self.deregistrations

    @property
    def authoring(self) -> Event:
        return _authoring(self.events(indirect=False), self.events(direct=False))

    def vstages(self, *, active_only: bool = True, ascending: bool = False) -> list[VStage]:
        chosen = [s for s in self.stages.values() if not active_only or s.is_active]
        ordered = sorted(chosen, key=_activated_ts)
        return ordered if ascending else ordered[::-1]

    def to_dict(self) -> dict[str, Any]:
        return {
            "artifact": self.artifact,
            "commit_hexsha": self.commit_hexsha,
            "version": self.version,
            "enrichments": [e.to_dict() for e in self.enrichments],
            "registrations": [e.to_dict() for e in self.registrations],
            "deregistrations": [e.to_dict() for e in self.deregistrations],
            "stages": [s.to_dict() for s in self.vstages()],
            **_common(self),
            "discovered": self.discovered,
        }


def _activated_ts(vstage: VStage) -> int:
    found = vstage.activated
    return (found if found is not None else vstage.authoring).ts


def _created_ts(obj: VStage | Version) -> int:
    return obj.authoring.ts


def sort_versions(
    versions: Iterable[Version], *, by_time: bool = False, ascending: bool = False
) -> list[Version]:
    """By semver precedence (versions that are not semver after, by name), or by time."""
    versions = list(versions)
    if by_time:
        ordered = sorted(versions, key=_created_ts)
        return ordered if ascending else ordered[::-1]
    parsed = [(v, semver.parse(v.version)) for v in versions]
    valid = sorted(
        ((v, p) for v, p in parsed if p is not None), key=lambda vp: semver.precedence(vp[1])
    )
    others = sorted((v for v, p in parsed if p is None), key=lambda v: v.version)
    if not ascending:
        valid, others = valid[::-1], others[::-1]
    return [v for v, _ in valid] + others


@dataclass
class Artifact:
    name: str
    versions: list[Version] = field(default_factory=list)
    deprecations: list[Event] = field(default_factory=list)
    # versions by name and by commit, in ``versions`` order: lookups stay O(1) for long histories
    _by_name: dict[str, list[Version]] = field(default_factory=dict, repr=False, compare=False)
    _by_commit: dict[str, list[Version]] = field(default_factory=dict, repr=False, compare=False)

    def add(self, event: Event) -> None:
        if event.kind == "deprecation":
            self.deprecations.append(event)
            self.deprecations.sort(key=_ts)
            return
        assert event.version is not None
        found = self.find_versions(event.version, event.commit_hexsha, create=True)
        found[0].add(event)

    def events(self, *, ascending: bool = False) -> list[Event]:
        found = list(self.deprecations)
        found += [e for v in self.versions for e in v.events()]
        return newest_first(found, ascending)

    @property
    def is_active(self) -> bool:
        events = self.events()
        return bool(events) and events[0].kind != "deprecation"

    @property
    def is_registered(self) -> bool:
        return bool(self.deprecations) or any(
            v.registrations or v.deregistrations or v.stages for v in self.versions
        )

    def find_versions(
        self,
        name: str | None = None,
        commit: str | None = None,
        *,
        include_discovered: bool = False,
        create: bool = False,
    ) -> list[Version]:
        """Versions named ``name`` at ``commit`` (either may be None: any). Versions no tag
        registered ("discovered") are left out unless asked for; with ``create``, a version
        is made when none matches (named by its commit if no name is given)."""
        if name:
            candidates = self._by_name.get(name, [])
        elif commit:
            candidates = self._by_commit.get(commit, [])
        else:
            candidates = self.versions
        found = [
            v
            for v in candidates
            if (not name or v.version == name)
            and (not commit or v.commit_hexsha == commit)
            and (include_discovered or not v.discovered)
        ]
        if create and not found:
            assert name or commit
            made = Version(self.name, commit or "", name or commit or "")
            self.versions.append(made)
            self._by_name.setdefault(made.version, []).append(made)
            self._by_commit.setdefault(made.commit_hexsha, []).append(made)
            found = [made]
        return found

    def get_versions(
        self,
        *,
        active_only: bool = True,
        include_non_explicit: bool = False,
        include_discovered: bool = False,
        by_time: bool = False,
    ) -> list[Version]:
        chosen = [
            v
            for v in self.versions
            if not active_only
            or (
                v.is_active
                and (
                    (v.is_registered and not v.discovered)
                    or (include_discovered and v.discovered)
                    or (include_non_explicit and not v.is_registered)
                )
            )
        ]
        return sort_versions(chosen, by_time=by_time)

    def latest_version(self, *, registered_only: bool = True) -> Version | None:
        versions = self.get_versions(include_non_explicit=not registered_only)
        return versions[0] if versions else None

    def vstages(
        self,
        *,
        registered_only: bool = False,
        assignments_per_version: int = -1,
        versions_per_stage: int = 1,
        by_time: bool = False,
    ) -> dict[str, list[VStage]]:
        """Stage → the versions in it, latest first (``versions_per_stage`` of them)."""
        versions = self.get_versions(include_non_explicit=not registered_only, by_time=by_time)
        assignments: list[VStage] = []
        for version in versions:
            mine = version.vstages(ascending=True)
            assignments += mine[:assignments_per_version] if assignments_per_version > -1 else mine
        if by_time:
            assignments = sorted(assignments, key=_created_ts)[::-1]
        stages: dict[str, list[VStage]] = {}
        for a in assignments:
            held = stages.setdefault(a.stage, [])
            if -1 < versions_per_stage <= len(held):
                continue
            if a.version not in [h.version for h in held]:
                held.append(a)
        return stages


@dataclass
class Registry:
    """Every artifact the tags name, in the order GTO meets them."""

    artifacts: dict[str, Artifact] = field(default_factory=dict)
    configured_stages: tuple[str, ...] | None = None  # ``stages:`` of a ``.gto`` file
    commits: dict[str, str] = field(default_factory=dict)  # tag name → the commit it names

    def find(self, name: str) -> Artifact | None:
        return self.artifacts.get(name)

    def artifact(self, name: str) -> Artifact:
        if name not in self.artifacts:
            self.artifacts[name] = Artifact(name)
        return self.artifacts[name]

    def stages(self) -> list[str]:
        """The stages to show: those configured, else those in use."""
        if self.configured_stages is not None:
            return list(self.configured_stages)
        return sorted({s for a in self.artifacts.values() for s in a.vstages()})


def _tag_event(artifact: Artifact, parsed: TagName, tag: AnnotatedTag) -> Event:
    version = parsed.version
    if parsed.action in (Action.ASSIGN, Action.UNASSIGN):
        version = artifact.find_versions(commit=tag.target, create=True)[0].version
    return Event(
        kind=_KIND[parsed.action],
        artifact=parsed.artifact,
        ts=tag.tagger.time,
        offset=tag.tagger.offset,
        author=tag.tagger.name,
        author_email=tag.tagger.email,
        message=tag.message.strip(),
        commit_hexsha=tag.target,
        tag=tag.name,
        version=version,
        stage=parsed.stage,
    )


_PASSES = (
    frozenset({Action.DEPRECATE}),
    frozenset({Action.REGISTER, Action.DEREGISTER}),
    frozenset({Action.ASSIGN, Action.UNASSIGN}),
)


def build(tags: Sequence[AnnotatedTag], stages: Sequence[str] | None = None) -> Registry:
    """The registry the annotated ``tags`` (sorted by name) describe."""
    registry = Registry(configured_stages=tuple(stages) if stages is not None else None)
    parsed = [(p, t) for t in tags if (p := parse_tag(t.name)) is not None]
    registry.commits = {t.name: t.target for t in tags}
    commits = {t.target: t for _, t in parsed}
    for actions in _PASSES:
        mine = [pt for pt in parsed if pt[0].action in actions]
        mine.sort(key=lambda pt: pt[1].tagger.time)
        for p, t in mine:
            artifact = registry.artifact(p.artifact)
            artifact.add(_tag_event(artifact, p, t))
    for artifact in registry.artifacts.values():
        for version in artifact.versions:
            version.add(_commit_event(artifact.name, version, commits[version.commit_hexsha]))
    return registry


def _commit_event(artifact: str, version: Version, tag: AnnotatedTag) -> Event:
    return Event(
        kind=COMMIT,
        artifact=artifact,
        ts=tag.committer.time,
        offset=tag.committer.offset,
        author=tag.author.name,
        author_email=tag.author.email,
        message=tag.commit_message,
        commit_hexsha=version.commit_hexsha,
        version=version.version,
        committer=tag.committer.name,
        committer_email=tag.committer.email,
    )

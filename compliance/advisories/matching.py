"""Which advisories affect a device, from its OS release and installed packages. Pure: no I/O.

`AdvisoryIndex` files every affected product under its match key ("IOS-XE"; "Debian:12" +
"openssl"), with exactly listed releases in a dict by canonical spelling. A device then costs a
handful of dict lookups plus the range checks of its own keys, and the verdict for one
(key, release) is remembered: 300 switches on the same IOS XE release are judged once. That keeps
a fleet of ~900 devices against 10,000 advisories far below O(devices x advisories).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from compliance.advisories import families, versions
from compliance.advisories.model import Advisory, AffectedProduct, Cvss, MatchKey, VersionRange
from compliance.advisories.versions import Release


@dataclass(frozen=True)
class InstalledPackage:
    """A package as the package manager lists it; `source` when the collector knows it."""

    name: str
    version: str
    source: str | None = None  # Debian's OSV names source packages (openssh, not openssh-server)


@dataclass(frozen=True)
class Exposure:
    """One advisory that affects one component (the OS or a package) of a device."""

    advisory_id: str
    cve_ids: tuple[str, ...]
    cvss: Cvss | None
    component: str  # the OS family ("IOS-XE") or the package name
    installed: str  # the release the device runs
    fixed_version: str | None  # first fixed release of the device's own train; None if none named


@dataclass(frozen=True)
class DeviceExposures:
    exposures: tuple[Exposure, ...]
    # components whose version does not follow their vendor's scheme: not judged, so unknown
    unreadable: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Entry:
    advisory: Advisory
    product: AffectedProduct


class AdvisoryIndex:
    """Advisories filed by match key; `comparisons` counts the version comparisons made.

    A device's release is read in the scheme of its key (families.scheme_for), which is the
    scheme the parsers give every product filed under that key.
    """

    def __init__(self, advisories: Iterable[Advisory]):
        self.comparisons = 0
        # key -> canonical release -> entries listing exactly that release
        self._exact: dict[MatchKey, dict[str, list[_Entry]]] = defaultdict(
            lambda: defaultdict(list)
        )
        self._ranged: dict[MatchKey, list[_Entry]] = defaultdict(list)
        self._verdicts: dict[tuple[MatchKey, str, str], tuple[Exposure, ...]] = {}
        self._releases: dict[tuple[str, str], Release] = {}
        # (key, train) -> ids of the advisories speaking of that train of that product
        self._named: dict[tuple[MatchKey, str | None], tuple[str, ...]] = {}
        self._trains: dict[int, frozenset[str]] = {}  # id(product) -> trains it names
        for advisory in advisories:
            for product in advisory.affected:
                self._file(_Entry(advisory, product))

    def _file(self, entry: _Entry) -> None:
        product = entry.product
        keys = [product.key, *(MatchKey(product.key.family, b) for b in product.binaries)]
        for key in dict.fromkeys(keys):
            for version in product.versions:
                canonical = versions.parse(product.scheme, version).canonical
                self._exact[key][canonical].append(entry)
            if product.ranges:
                self._ranged[key].append(entry)

    def _release(self, scheme: str, text: str) -> Release:
        known = self._releases.get((scheme, text))
        if known is None:
            known = self._releases[(scheme, text)] = versions.parse(scheme, text)
        return known

    def _order(self, a: Release, b: str, scheme: str) -> int | None:
        self.comparisons += 1
        return versions.order(a, self._release(scheme, b))

    def _in_range(self, release: Release, span: VersionRange, scheme: str) -> bool:
        if span.train is not None and release.train != span.train:
            return False
        if span.introduced is not None:
            found = self._order(release, span.introduced, scheme)
            if found is None or found < 0 or (found == 0 and not span.introduced_inclusive):
                return False
        if span.fixed is not None:
            found = self._order(release, span.fixed, scheme)
            if found is None or found >= 0:
                return False
        if span.last_affected is not None:
            found = self._order(release, span.last_affected, scheme)
            if found is None or found > 0:
                return False
        return True

    def _fix_for(self, release: Release, entry: _Entry, spans: list[VersionRange]) -> str | None:
        """The lowest release above the device's that the advisory says fixes its train."""
        named = [s.fixed for s in spans if s.fixed is not None] + list(entry.product.fixed_versions)
        scheme = entry.product.scheme
        best: Release | None = None
        for text in dict.fromkeys(named):
            candidate = self._release(scheme, text)
            if candidate.train != release.train or self._order(release, text, scheme) != -1:
                continue
            if best is None or versions.order(candidate, best) == -1:
                best = candidate
        return best.text if best is not None else None

    def _judge(self, key: MatchKey, release: Release, component: str) -> tuple[Exposure, ...]:
        found: list[Exposure] = []
        seen: set[str] = set()
        candidates = [(e, True) for e in self._exact.get(key, {}).get(release.canonical, [])]
        candidates += [(e, False) for e in self._ranged.get(key, [])]
        for entry, listed in candidates:
            spans = [s for s in entry.product.ranges
                     if self._in_range(release, s, entry.product.scheme)]
            if entry.advisory.id in seen or not (listed or spans):
                continue
            seen.add(entry.advisory.id)
            found.append(Exposure(entry.advisory.id, entry.advisory.cve_ids, entry.advisory.cvss,
                                  component, release.text, self._fix_for(release, entry, spans)))
        return tuple(found)

    def _component(self, key: MatchKey, version: str, component: str) -> tuple[Exposure, ...]:
        if key not in self._exact and key not in self._ranged:
            return ()
        memo = (key, version, component)
        if memo not in self._verdicts:
            release = self._release(families.scheme_for(key), version)
            self._verdicts[memo] = self._judge(key, release, component)
        return self._verdicts[memo]

    def affecting(
        self,
        os_name: str,
        os_version: str,
        packages: Sequence[InstalledPackage | tuple[str, str]] = (),
        distribution: str | None = None,
    ) -> DeviceExposures:
        """The advisories affecting a device running `os_name` `os_version` with `packages`.

        `distribution` is the ecosystem its packages come from ("Debian:12" or "Debian 12");
        by default it follows from a Debian or Ubuntu OS name and version. Without one, the
        packages are not judged: no advisory format here speaks of them.
        """
        exposures: dict[tuple[str, str], Exposure] = {}
        unreadable: list[str] = []
        for key, version, component in _wanted(os_name, os_version, packages, distribution):
            try:
                found = self._component(key, version, component)
            except versions.VersionError:
                unreadable.append(f"{component} {version}")
                continue
            for exposure in found:
                exposures.setdefault((exposure.advisory_id, component), exposure)
        ranked = sorted(exposures.values(), key=_severity_order)
        return DeviceExposures(tuple(ranked), tuple(dict.fromkeys(unreadable)))


    def concerning(
        self,
        os_name: str,
        os_version: str,
        packages: Sequence[InstalledPackage | tuple[str, str]] = (),
        distribution: str | None = None,
    ) -> dict[str, str]:
        """The advisories that speak of a release train the device runs, affected or not, with
        the component they name (advisory id -> OS family or package name): those a verdict,
        pass or fail, is given on. An advisory about FortiOS 7.4 and 7.6 says nothing of a
        FortiGate on 6.4; one naming 17.6.6a as the 17.6 fix speaks of every 17.6 switch. A
        version that cannot be read is concerned by every advisory naming its product."""
        found: dict[str, str] = {}
        for key, version, component in _wanted(os_name, os_version, packages, distribution):
            if key not in self._exact and key not in self._ranged:
                continue
            try:
                train: str | None = self._release(families.scheme_for(key), version).train
            except versions.VersionError:
                train = None
            for advisory_id in self._named_under(key, train):
                found.setdefault(advisory_id, component)
        return found

    def _named_under(self, key: MatchKey, train: str | None) -> tuple[str, ...]:
        memo = (key, train)
        if memo not in self._named:
            entries = [e for found in self._exact.get(key, {}).values() for e in found]
            entries += self._ranged.get(key, [])
            self._named[memo] = tuple(dict.fromkeys(
                e.advisory.id for e in entries if train is None or self._speaks_of(e, train)
            ))
        return self._named[memo]

    def _speaks_of(self, entry: _Entry, train: str) -> bool:
        # feeds repeat one product list in many advisories (CSAF files list hundreds of
        # releases): its trains are read once per product, not once per advisory and train
        found = self._trains.get(id(entry.product))
        if found is None:
            found = self._trains[id(entry.product)] = _trains(entry.product)
        return not found or train in found

Wanted = list[tuple[MatchKey, str, str]]


def _wanted(
    os_name: str,
    os_version: str,
    packages: Sequence[InstalledPackage | tuple[str, str]],
    distribution: str | None,
) -> Wanted:
    """(match key, installed version, component) of the OS and of each package."""
    ecosystem = _ecosystem(os_name, os_version, distribution)
    wanted = [(MatchKey(os_name), os_version, os_name)]
    for item in packages if ecosystem else ():
        package = item if isinstance(item, InstalledPackage) else InstalledPackage(*item)
        names = dict.fromkeys([package.name, package.source or package.name])
        wanted += [(MatchKey(ecosystem or "", n), package.version, package.name) for n in names]
    return wanted


def _trains(product: AffectedProduct) -> frozenset[str]:
    """The release trains a product entry names; none: it is about every release."""
    named: set[str] = set()
    texts = [*product.versions, *product.fixed_versions]
    for span in product.ranges:
        if span.train is not None:
            named.add(span.train)
        texts += [t for t in (span.introduced, span.fixed, span.last_affected) if t]
    for text in texts:
        try:
            named.add(versions.parse(product.scheme, text).train)
        except versions.VersionError:
            continue
    return frozenset(named)


def _ecosystem(os_name: str, os_version: str, distribution: str | None) -> str | None:
    if distribution is None:
        return families.device_ecosystem(os_name, os_version)
    return families.distribution_ecosystem(":".join(distribution.split()))


def _severity_order(exposure: Exposure) -> tuple[float, str, str]:
    score = exposure.cvss.base_score if exposure.cvss is not None else -1.0
    return (-score, exposure.advisory_id, exposure.component)

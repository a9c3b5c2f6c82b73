"""Computing the maturity cells: set-based for everything, incrementally for one change.

Where each fact comes from (`criteria.Fact`):

* RESPONSIBLE — a `routing.Responsibility` for a LeiKa key of the OZG-Leistung whose area covers the Kommune
  (the catalogue entry exists for every cell: only catalogue services are relevant).
* LIVE, FORM, UPLOADS, FEE, ONLINE_PAYMENT — what the intake does (issue 16, "one truth about responsibility"): a
  citizen can apply online wherever routing resolves to a deliverable destination and a form is published. So an
  anchor is online (LIVE with its form's FORM/UPLOADS/FEE/ONLINE_PAYMENT bits) when its responsibility's destination
  is deliverable — active with an active encryption key, `routing.resolution`'s rule, mirrored here in SQL — and a
  published form exists for the key: a form whose `FormDefinition.leika_key` it is (the intake's own link from form to
  service; forms are platform-wide, so in every Land — `key_forms`), a form of an available or pilot offer of the
  anchor's Land (`Offer.form_slug` → newest published `FormVersion`) or of a live `shop.Subscription` of the
  responsible Authority, which also adds its own facts (its local fee → FEE). Whether the responsible Authority
  subscribed does not matter: a Gemeinde without an entry of its own is served online by the Land's (or Kreis's)
  office through the Land-wide responsibility, and its cell says so, with that office as its Authority. Whether the
  form has a file field and whether a fee applies (the form's fee or the Kommune's own fee on the subscription) come
  from the form; the assistant collects a fee online through the payment plugin, so a fee with a live form is paid
  online.
* RECEIVED, ACCEPTED, STATUS — `submissions`: applications for the destination and key submitted in the last
  `criteria.EVIDENCE_DAYS` days, and the signed accept-submission (a reject or a back-office case also counts
  as a status the applicant sees on the status page).
* CASEWORK, ARCHIVED, NOTICE — `casework.ReceivingSystem` active on the destination; cases of the destination
  and key closed in the window; `postfach.Notice` made available in the window.

Facts are gathered per *anchor* (an ARS prefix, a LeiKa key): every responsibility. An anchor applies to the
Kommunen under its prefix; for one Kommune and OZG-Leistung the most specific anchor wins (like routing: a
subscription without a responsibility gives no anchor, routing would not reach it), and
among the LeiKa keys of one OZG-Leistung the best level counts ("Die OZG-Leistung gilt … als online, wenn
mindestens eine zugehörige Verwaltungsleistung …", criteria.BUND_OZG_ONLINE). Levels come from
`criteria.level_table()`, a lookup table the SQL joins, so the rules live in Python only.

Approximation, stated: the most specific anchor is chosen per OZG-Leistung, not per LeiKa key. When one key
has a Gemeinde responsibility and another key of the same OZG-Leistung only a Land-wide one, the Gemeinde's
anchor decides.

The full recompute writes one Land per transaction (readers see the old or the new cells of a Land, never a
half); the incremental one rewrites the cells of the Kommunen under one ARS prefix for the OZG-Leistungen of
some LeiKa keys. Both run the same SQL (portable between PostgreSQL and SQLite) with a different scope.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from amtsweg.assistants.definition import FormSpec
from amtsweg.core.tenancy import require_actor
from amtsweg.maturity import criteria
from amtsweg.maturity.models import Area, AreaSummary, Cell, RecomputeRun, ServiceRelevance

LEIKA_URN = "urn:de:fim:leika:leistung:"

#: LeiKa types whose services Kommunen execute (digital-direkt.nrw, "LeiKa-Typ": 2/3 federal law executed
#: by Land or Kommune, 4 Land law executed by Land or Kommune, 5 municipal law executed by Kommunen; 1 is
#: executed by the Bund). A plain "2" (Land executes) and unknown types are not municipal. Type 4 (and "2/3")
#: may be executed by the Land instead, so it counts half in the demand factor.
LEIKA_TYPE_SOURCE = "https://digital-direkt.nrw/faq-items/leika-typ/"
MUNICIPAL_TYPES = {"2/3": 1.0, "3": 1.0, "5": 1.0, "4": 0.5}

#: Size classes by population (peers are Kommunen of the same kind and class).
SIZE_CLASSES: tuple[tuple[int, int, object], ...] = (
    (1, 0, _("unter 5.000 Einwohner")),
    (2, 5_000, _("5.000 bis unter 20.000 Einwohner")),
    (3, 20_000, _("20.000 bis unter 100.000 Einwohner")),
    (4, 100_000, _("100.000 bis unter 500.000 Einwohner")),
    (5, 500_000, _("500.000 Einwohner und mehr")),
)
PREFIX_LENGTHS = (2, 3, 5, 9, 12)


def size_class(population: int) -> int:
    result = 1
    for number, lower, _label in SIZE_CLASSES:
        if population >= lower:
            result = number
    return result


@dataclass
class RecomputeResult:
    cells: int
    seconds: float


# --- reference data -----------------------------------------------------------------------------------


def municipal_weight(leika_type: str) -> float:
    """The demand weight of one LeiKa-Leistung by its type ("1, 2/3" → the municipal part counts)."""
    return max((MUNICIPAL_TYPES.get(part.strip(), 0.0) for part in leika_type.split(",")), default=0.0)


def sync_relevance() -> int:
    """Which OZG-Leistungen Kommunen execute: those with at least one LeiKa-Leistung of a municipal type.

    The demand factor is the sum of the municipal LeiKa-Leistungen' type weights: an OZG-Leistung that bundles
    more municipal services is asked for on more occasions. Together with the population it is the proxy for
    demand (no usage figures exist for services not yet online)."""
    from amtsweg.catalogue.models import PublicService

    factors: dict[int, float] = {}
    counts: dict[int, int] = {}
    rows = PublicService.objects.current().filter(ozg_services__ended_on__isnull=True).values_list(
        "leika_type", "ozg_services")
    for leika_type, service_id in rows:
        weight = municipal_weight(leika_type or "")
        if service_id is None or weight == 0:
            continue
        factors[service_id] = factors.get(service_id, 0.0) + weight
        counts[service_id] = counts.get(service_id, 0) + 1
    with transaction.atomic():
        ServiceRelevance.objects.exclude(service_id__in=factors).delete()
        ServiceRelevance.objects.bulk_create(
            [ServiceRelevance(service_id=s, municipal_leika=counts[s], demand_factor=f) for s, f in factors.items()],
            update_conflicts=True, unique_fields=["service"], update_fields=["municipal_leika", "demand_factor"])
    return len(factors)


def sync_areas() -> int:
    """Every Gemeinde, Gemeindeverband and Kreis of the reference directory as an `Area`.

    Left out: gemeindefreie Gebiete (no inhabitants to serve), the city districts of Berlin and Hamburg
    (not Gemeinden) and Gemeindeverband keys with a single Gemeinde (Destatis gives every verbandsfreie
    Gemeinde a Verband key of its own: that is the Gemeinde, not a Verband). Populations of Verbände and
    Kreise are the sums of their Gemeinden."""
    from amtsweg.geo.models import District, MunicipalAssociation, Municipality

    gemeinden = [m for m in Municipality.objects.current().filter(is_city_district=False).values(
        "ars", "name", "population", "land__code") if m["ars"][5] != "9"]
    by_verband: dict[str, list[dict]] = {}
    by_kreis: dict[str, int] = {}
    for g in gemeinden:
        by_verband.setdefault(g["ars"][:9], []).append(g)
        by_kreis[g["ars"][:5]] = by_kreis.get(g["ars"][:5], 0) + (g["population"] or 0)
    areas = [Area(ars=g["ars"], kind=Area.Kind.GEMEINDE, name=g["name"][:200], land_code=g["land__code"],
                  district_code=g["ars"][:5], population=g["population"] or 0) for g in gemeinden]
    for v in MunicipalAssociation.objects.current().values("code", "name", "land__code"):
        members = by_verband.get(v["code"], [])
        if len(members) < 2:
            continue
        areas.append(Area(ars=v["code"], kind=Area.Kind.VERBAND, name=(v["name"] or v["code"])[:200],
                          land_code=v["land__code"], district_code=v["code"][:5],
                          population=sum(m["population"] or 0 for m in members)))
    for k in District.objects.current().values("code", "name", "land__code"):
        areas.append(Area(ars=k["code"], kind=Area.Kind.KREIS, name=k["name"][:200], land_code=k["land__code"],
                          district_code=k["code"], population=by_kreis.get(k["code"], 0)))
    for area in areas:
        area.size_class = size_class(area.population)
    with transaction.atomic():
        Area.objects.bulk_create(areas, batch_size=2000, update_conflicts=True, unique_fields=["ars"],
                                 update_fields=["kind", "name", "land_code", "district_code", "population",
                                                "size_class"])
        gone = Area.objects.exclude(ars__in=[a.ars for a in areas])
        Cell.objects.filter(area_id__in=gone.values("pk")).delete()
        gone.delete()
    return len(areas)


# --- the set-based computation ---------------------------------------------------------------------------


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _form_bits(forms) -> dict[str, int]:
    """slug → FORM|UPLOADS|FEE|ONLINE_PAYMENT bits of the newest published version of `forms` (a FormDefinition
    queryset; a form without a published version is left out). Read in Python so the file-field test uses the form
    specification rather than a text search in JSON; two queries whatever the number of forms."""
    from amtsweg.assistants.models import FormVersion

    fees, slug_of = {}, {}
    for pk, slug, fee_cents in forms.values_list("pk", "slug", "fee_cents"):
        fees[pk], slug_of[pk] = fee_cents, slug
    result: dict[str, int] = {}
    versions = (FormVersion.objects.filter(form_id__in=slug_of, published_at__isnull=False)
                .order_by("form_id", "-number").values_list("form_id", "definition"))
    for form_id, definition in versions:
        slug = slug_of[form_id]
        if slug in result:
            continue  # an older version: the newest published one counts
        bits = criteria.Fact.FORM
        if any(ref.field.get("type") == "file" for ref in FormSpec(definition).fields.values()):
            bits |= criteria.Fact.UPLOADS
        if fees.get(form_id):
            bits |= criteria.Fact.FEE | criteria.Fact.ONLINE_PAYMENT
        result[slug] = int(bits)
    return result


def _offer_bits(keys: list[str] | None = None) -> list[tuple[int, int]]:
    """(offer id, FORM|UPLOADS|FEE|ONLINE_PAYMENT bits) of the offers (for `keys`: only the offers for them);
    three queries whatever the number of offers."""
    from amtsweg.assistants.models import FormDefinition
    from amtsweg.shop.models import Offer

    offers = Offer.objects.all()
    if keys is not None:
        offers = offers.filter(public_services__key__in=keys).distinct()
    offer_forms = list(offers.values_list("pk", "form_slug"))
    slugs = {slug for _pk, slug in offer_forms if slug}
    forms = _form_bits(FormDefinition.objects.filter(slug__in=slugs))
    return [(pk, forms.get(slug, 0)) for pk, slug in offer_forms]


def key_forms(keys: list[str] | None = None) -> dict[str, int]:
    """LeiKa key → the OR of the bits of the published forms whose `FormDefinition.leika_key` it is: the
    intake's own link from a form to its service (the assistant routes a form's applications by it, and the
    catalogue's and "Wer ist zuständig?"'s "Online beantragen" list forms by it), with or without a shop offer.
    A form is platform-wide (no Land of its own), so it counts in every Land. Three queries."""
    from amtsweg.assistants.models import FormDefinition

    forms = FormDefinition.objects.exclude(leika_key="")
    if keys is not None:
        forms = forms.filter(leika_key__in=keys)
    key_of = dict(forms.values_list("slug", "leika_key"))
    result: dict[str, int] = {}
    for slug, bits in _form_bits(forms).items():
        result[key_of[slug]] = result.get(key_of[slug], 0) | bits
    return result


def land_forms(offer_bits: list[tuple[int, int]], keys: list[str] | None = None) -> dict[tuple[str, str], int]:
    """(Land code, LeiKa key) → the OR of the form bits of the Land's available or pilot offers for the key that
    have a published form: where a citizen of the Land finds an online form for the key (shop's own rule for an
    offer being out there, `Offer.orderable`). One query over the offers' keys."""
    from amtsweg.shop.models import Offer

    with_form = {pk: bits for pk, bits in offer_bits if bits & criteria.Fact.FORM}
    rows = Offer.public_services.through.objects.filter(
        offer_id__in=with_form, offer__status__in=[Offer.Status.AVAILABLE, Offer.Status.PILOT]
    ).exclude(publicservice__key="")
    if keys is not None:
        rows = rows.filter(publicservice__key__in=keys)
    result: dict[tuple[str, str], int] = {}
    for offer_id, land_code, key in rows.values_list("offer_id", "offer__land_code", "publicservice__key"):
        result[(land_code, key)] = result.get((land_code, key), 0) | with_form[offer_id]
    return result


def _prepare(cursor, keys: list[str] | None = None) -> None:
    """Temporary tables: the level table, the offers' form bits and the Länder's published forms per key (per
    connection, rebuilt every run; the first two filled with one statement each)."""
    for name in ("mt_levels", "mt_offer", "mt_land_form", "mt_key_form"):
        cursor.execute(f"DROP TABLE IF EXISTS {name}")
    cursor.execute("CREATE TEMPORARY TABLE mt_levels (facts integer PRIMARY KEY, level_v2 smallint, "
                   "level_v11 smallint)")
    # Only integers computed here are formatted in.
    cursor.execute("INSERT INTO mt_levels VALUES " + ", ".join(  # noqa: S608
        f"({int(f)}, {int(v2)}, {int(v11)})" for f, v2, v11 in criteria.level_table()))
    cursor.execute("CREATE TEMPORARY TABLE mt_offer (offer_id bigint PRIMARY KEY, bits integer)")
    rows = _offer_bits(keys)
    if rows:
        cursor.execute("INSERT INTO mt_offer VALUES " + ", ".join(f"({int(pk)}, {int(bits)})" for pk, bits in rows))  # noqa: S608
    cursor.execute("CREATE TEMPORARY TABLE mt_land_form (land_code varchar(2), leika_key varchar(14), bits integer, "
                   "PRIMARY KEY (land_code, leika_key))")
    forms = [(land, key, bits) for (land, key), bits in land_forms(rows, keys).items()]
    for start in range(0, len(forms), 500):  # within SQLite's limit of bound parameters
        chunk = forms[start:start + 500]
        cursor.execute("INSERT INTO mt_land_form VALUES " + ", ".join(["(%s, %s, %s)"] * len(chunk)),  # noqa: S608
                       [value for row in chunk for value in row])
    cursor.execute("CREATE TEMPORARY TABLE mt_key_form (leika_key varchar(14) PRIMARY KEY, bits integer)")
    keyed = list(key_forms(keys).items())
    for start in range(0, len(keyed), 500):
        chunk = keyed[start:start + 500]
        cursor.execute("INSERT INTO mt_key_form VALUES " + ", ".join(["(%s, %s)"] * len(chunk)),  # noqa: S608
                       [value for row in chunk for value in row])


def _bits_or(expr: str) -> str:
    """Bitwise OR over a group, portable: the sum of the maximum of each bit."""
    return " + ".join(f"MAX(({expr}) & {int(f)})" for f in criteria.Fact)


def _anchor_sql(key_filter: str) -> str:
    """The facts per anchor (prefix, LeiKa key, Authority): one SELECT, parameters (today, today, cutoff ×5)."""
    from amtsweg.casework.models import Case as BackOfficeCase
    from amtsweg.casework.models import ReceivingSystem
    from amtsweg.catalogue.models import PublicService
    from amtsweg.postfach.models import Notice
    from amtsweg.routing.models import Destination, DestinationKey, Responsibility
    from amtsweg.shop.models import Offer, Subscription
    from amtsweg.submissions import events
    from amtsweg.submissions.models import Event, Submission

    F = criteria.Fact
    offer_keys = Offer.public_services.through
    urn_len = len(LEIKA_URN)
    resp = _table(Responsibility)
    recv_scope = case_scope = ""
    if key_filter:
        recv_scope = key_filter.format(  # noqa: S608
            col=f"sm.destination_id IN (SELECT rd.destination_id FROM {resp} rd WHERE rd.leika_key") + ")"  # noqa: S608
        case_scope = key_filter.format(  # noqa: S608
            col=f"c.authority_id IN (SELECT ra.authority_id FROM {resp} ra WHERE ra.leika_key") + ")"  # noqa: S608
    sub_bits = f"o.bits | CASE WHEN s.local_fee_cents > 0 THEN {int(F.FEE)} ELSE 0 END"
    form_bits = "(COALESCE(lf.bits, 0) | COALESCE(kf.bits, 0) | COALESCE(sub.bits, 0))"
    # Only identifiers from model metadata, integers and module constants are formatted in; values are parameters.
    return f"""
    WITH sub AS (
        SELECT s.authority_id, ps.key AS leika_key, ({_bits_or(sub_bits)}) AS bits
        FROM {_table(Subscription)} s
        JOIN {_table(offer_keys)} ok ON ok.offer_id = s.offer_id
        JOIN {_table(PublicService)} ps ON ps.id = ok.publicservice_id
        JOIN mt_offer o ON o.offer_id = s.offer_id
        WHERE s.live_since IS NOT NULL AND s.live_since <= %s AND (s.ends_on IS NULL OR s.ends_on > %s)
          AND ps.key <> '' {key_filter.format(col="ps.key")}
        GROUP BY s.authority_id, ps.key
    ),
    deliverable AS (
        SELECT d.id FROM {_table(Destination)} d
        WHERE d.status = '{Destination.Status.ACTIVE.value}'
          AND EXISTS (SELECT 1 FROM {_table(DestinationKey)} dk
                      WHERE dk.destination_id = d.id AND dk.purpose = '{DestinationKey.Purpose.ENCRYPTION.value}'
                        AND dk.activated_at IS NOT NULL AND dk.retired_at IS NULL)
    ),
    recv AS (
        SELECT sm.destination_id, SUBSTR(sm.service_identifier, {urn_len + 1}) AS leika_key,
               {int(F.RECEIVED)} + MAX(CASE WHEN e.event_type = '{events.ACCEPT}' THEN {int(F.ACCEPTED | F.STATUS)}
                                       WHEN e.event_type = '{events.REJECT}' THEN {int(F.STATUS)} ELSE 0 END) AS bits
        FROM {_table(Submission)} sm
        LEFT JOIN {_table(Event)} e ON e.submission_id = sm.id
             AND e.event_type IN ('{events.ACCEPT}', '{events.REJECT}')
        WHERE sm.submitted_at >= %s AND sm.service_identifier LIKE '{LEIKA_URN}%%'
              {key_filter.format(col="SUBSTR(sm.service_identifier, " + str(urn_len + 1) + ")")}
              {recv_scope}
        GROUP BY sm.destination_id, SUBSTR(sm.service_identifier, {urn_len + 1})
    ),
    bo AS (
        SELECT c.destination_id, c.leika_key,
               {int(F.STATUS)} + MAX(CASE WHEN c.closed_at >= %s THEN {int(F.ARCHIVED)} ELSE 0 END)
                   + MAX(CASE WHEN n.id IS NOT NULL THEN {int(F.NOTICE)} ELSE 0 END) AS bits
        FROM {_table(BackOfficeCase)} c
        LEFT JOIN {_table(Notice)} n ON n.case_id = c.id AND n.made_available_at >= %s
        WHERE (c.received_at >= %s OR c.closed_at >= %s OR n.id IS NOT NULL)
              {key_filter.format(col="c.leika_key")}
              {case_scope}
        GROUP BY c.destination_id, c.leika_key
    ),
    anchors AS (
        SELECT r.area_ars AS prefix, r.leika_key, r.authority_id,
               {int(F.RESPONSIBLE)}
               + CASE WHEN dl.id IS NOT NULL AND ({form_bits} & {int(F.FORM)}) <> 0
                      THEN {int(F.LIVE)} | {form_bits} ELSE 0 END
               + CASE WHEN rs.id IS NOT NULL THEN {int(F.CASEWORK)} ELSE 0 END AS own_bits,
               COALESCE(recv.bits, 0) AS recv_bits, COALESCE(bo.bits, 0) AS bo_bits
        FROM {_table(Responsibility)} r
        LEFT JOIN deliverable dl ON dl.id = r.destination_id
        LEFT JOIN mt_land_form lf ON lf.land_code = SUBSTR(r.area_ars, 1, 2) AND lf.leika_key = r.leika_key
        LEFT JOIN mt_key_form kf ON kf.leika_key = r.leika_key
        LEFT JOIN sub ON sub.authority_id = r.authority_id AND sub.leika_key = r.leika_key
        LEFT JOIN {_table(ReceivingSystem)} rs ON rs.destination_id = r.destination_id AND rs.active = %s
        LEFT JOIN recv ON recv.destination_id = r.destination_id AND recv.leika_key = r.leika_key
        LEFT JOIN bo ON bo.destination_id = r.destination_id AND bo.leika_key = r.leika_key
        WHERE 1 = 1 {key_filter.format(col="r.leika_key")}
    )
    SELECT anchors.prefix, k.service_id, anchors.authority_id,
           (anchors.own_bits | anchors.recv_bits | anchors.bo_bits) AS facts
    FROM anchors
    JOIN (SELECT ps.key AS leika_key, m.ozgservice_id AS service_id
          FROM {_table(PublicService)} ps
          JOIN {_table(PublicService.ozg_services.through)} m ON m.publicservice_id = ps.id
          JOIN {_table(ServiceRelevance)} sr ON sr.service_id = m.ozgservice_id
          WHERE ps.key <> '' {key_filter.format(col="ps.key")}) k ON k.leika_key = anchors.leika_key
    """  # noqa: S608


def _build_best(cursor, *, keys: list[str] | None, area_where: str, area_params: list) -> None:
    """`mt_best`: for each (area, service) with facts, the winning anchor's facts and Authority."""
    now = timezone.now()
    cutoff = now - timedelta(days=criteria.EVIDENCE_DAYS)
    today = timezone.localdate()
    key_filter = ""
    key_params: list = []
    if keys is not None:
        placeholders = ", ".join(["%s"] * len(keys)) or "NULL"
        key_filter = "AND {col} IN (" + placeholders + ")"
    anchor_sql = _anchor_sql(key_filter)
    if keys is not None:
        key_params = list(keys)
    # In the order of the placeholders: sub, recv (key, destination), bo (key, authority), anchors, k. The
    # destination and authority filters let an incremental run use the submissions' and cases' indexes.
    params = ([today, today] + key_params + [cutoff] + key_params * 2 + [cutoff, cutoff, cutoff, cutoff]
              + key_params * 2 + [True] + key_params + key_params)
    for name in ("mt_anchor", "mt_best"):
        cursor.execute(f"DROP TABLE IF EXISTS {name}")
    cursor.execute(f"CREATE TEMPORARY TABLE mt_anchor AS {anchor_sql}", params)
    # Per (prefix, service): the best of its LeiKa keys (1.1 level first, then 2.0).
    cursor.execute("DROP TABLE IF EXISTS mt_prefix")
    cursor.execute("""CREATE TEMPORARY TABLE mt_prefix AS
        SELECT prefix, service_id, authority_id, facts FROM (
            SELECT x.prefix, x.service_id, x.authority_id, x.facts,
                   ROW_NUMBER() OVER (PARTITION BY x.prefix, x.service_id
                                      ORDER BY l.level_v11 DESC, l.level_v2 DESC, x.facts DESC) AS rn
            FROM mt_anchor x JOIN mt_levels l ON l.facts = x.facts) ranked
        WHERE rn = 1""")
    area = _table(Area)
    # Expand to the areas under each prefix, one hash-joinable equality per prefix length.
    expansions = " UNION ALL ".join(
        f"SELECT a.id AS area_id, p.service_id, p.authority_id, p.facts, {length} AS plen "  # noqa: S608
        f"FROM mt_prefix p JOIN {area} a ON SUBSTR(a.ars, 1, {length}) = p.prefix "
        f"WHERE LENGTH(p.prefix) = {length} AND LENGTH(a.ars) >= {length} {area_where}"
        for length in PREFIX_LENGTHS)
    cursor.execute(f"""CREATE TEMPORARY TABLE mt_best AS
        SELECT area_id, service_id, authority_id, facts FROM (
            SELECT e.*, ROW_NUMBER() OVER (PARTITION BY e.area_id, e.service_id
                                           ORDER BY e.facts & {int(criteria.Fact.RESPONSIBLE)} DESC, e.plen DESC) AS rn
            FROM ({expansions}) e) ranked
        WHERE rn = 1""", area_params * len(PREFIX_LENGTHS))  # noqa: S608
    cursor.execute("CREATE INDEX mt_best_idx ON mt_best (area_id, service_id)")


def _write_cells(cursor, *, area_where: str, area_params: list, service_ids: list[int] | None) -> int:
    """Replace the cells of the areas (and services) in scope by the evaluated ones; returns the rows written."""
    area, cell, relevance = _table(Area), _table(Cell), _table(ServiceRelevance)
    service_where, service_params = "", []
    if service_ids is not None:
        service_where = "AND r.service_id IN (" + (", ".join(["%s"] * len(service_ids)) or "NULL") + ")"
        service_params = list(service_ids)
    cursor.execute(
        f"DELETE FROM {cell} WHERE area_id IN (SELECT a.id FROM {area} a WHERE 1 = 1 {area_where})"  # noqa: S608
        + (f" AND service_id IN (SELECT r.service_id FROM {relevance} r WHERE 1 = 1 {service_where})"  # noqa: S608
           if service_ids is not None else ""),
        area_params + service_params)
    return _insert_cells(cursor, target=Cell._meta.db_table, area_where=area_where, area_params=area_params,
                         service_where=service_where, service_params=service_params)


def _insert_cells(cursor, *, target: str, area_where: str, area_params: list, service_where: str,
                  service_params: list) -> int:
    """Evaluate the cells in scope (areas × relevant services, facts from `mt_best`, levels from `mt_levels`)."""
    area, relevance = _table(Area), _table(ServiceRelevance)
    cursor.execute(f"""
        INSERT INTO {connection.ops.quote_name(target)}
               (area_id, service_id, facts, level_v2, level_v11, authority_id, weight)
        SELECT a.id, r.service_id, COALESCE(b.facts, 0), l.level_v2, l.level_v11, b.authority_id,
               a.population * r.demand_factor
        FROM {area} a CROSS JOIN {relevance} r
        LEFT JOIN mt_best b ON b.area_id = a.id AND b.service_id = r.service_id
        JOIN mt_levels l ON l.facts = COALESCE(b.facts, 0)
        WHERE 1 = 1 {area_where} {service_where}""", area_params + service_params)  # noqa: S608
    return cursor.rowcount


def _swap_in_all_cells(cursor) -> int:
    """PostgreSQL: write every cell into a fresh table without index, build the primary key once (a sort), then
    swap it for the old table in one short transaction.

    Why: rewriting millions of rows in place costs a delete and an insert per row, index maintenance for each and
    a table full of dead rows for the vacuum; a fresh table is written once and indexed once. Readers see the old
    table until the swap commits (the swap's lock waits for running queries and is held for milliseconds). The
    new primary key gets the old one's name, so the table is exactly what the migrations made."""
    cell = Cell._meta.db_table
    q = connection.ops.quote_name
    cursor.execute("SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'p'", [cell])
    (pk_name,) = cursor.fetchone()
    cursor.execute(f"DROP TABLE IF EXISTS {q(cell + '_next')}")
    cursor.execute(f"CREATE TABLE {q(cell + '_next')} (LIKE {q(cell)} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
    written = _insert_cells(cursor, target=cell + "_next", area_where="", area_params=[], service_where="",
                            service_params=[])
    cursor.execute(f"ALTER TABLE {q(cell + '_next')} ADD CONSTRAINT {q(pk_name + '_next')} "
                   "PRIMARY KEY (area_id, service_id)")
    with transaction.atomic():
        cursor.execute(f"LOCK TABLE {q(cell)} IN ACCESS EXCLUSIVE MODE")
        cursor.execute(f"DROP TABLE {q(cell)}")
        cursor.execute(f"ALTER TABLE {q(cell + '_next')} RENAME TO {q(cell)}")
        cursor.execute(f"ALTER TABLE {q(cell)} RENAME CONSTRAINT {q(pk_name + '_next')} TO {q(pk_name)}")
    cursor.execute(f"ANALYZE {q(cell)}")
    return written


def summarise(area_ids: list[int] | None = None) -> int:
    """Recount `AreaSummary` (levels per stage, weighted OZG-konform share) for some or all areas."""
    cell = _table(Cell)
    v2 = ", ".join(f"SUM(CASE WHEN level_v2 = {i} THEN 1 ELSE 0 END)" for i in range(8))
    v11 = ", ".join(f"SUM(CASE WHEN level_v11 = {i} THEN 1 ELSE 0 END)" for i in range(5))
    where, params = "", []
    if area_ids is not None:
        where = "WHERE area_id IN (" + (", ".join(["%s"] * len(area_ids)) or "NULL") + ")"
        params = list(area_ids)
    now = timezone.now()
    rows = []
    with connection.cursor() as cursor:
        cursor.execute(f"""SELECT area_id, COUNT(*), SUM(weight),
                                  SUM(CASE WHEN level_v11 >= 3 THEN weight ELSE 0 END), {v2}, {v11}
                           FROM {cell} {where} GROUP BY area_id""", params)  # noqa: S608
        for area_id, count, weight, compliant, *levels in cursor.fetchall():
            rows.append(AreaSummary(area_id=area_id, relevant=count, levels_v2=[int(x) for x in levels[:8]],
                                    levels_v11=[int(x) for x in levels[8:]], computed_at=now,
                                    compliant_share=(compliant or 0) / weight if weight else
                                    (sum(levels[11:]) / count if count else 0.0)))
    AreaSummary.objects.bulk_create(rows, batch_size=2000, update_conflicts=True, unique_fields=["area"],
                                    update_fields=["relevant", "levels_v2", "levels_v11", "compliant_share",
                                                   "computed_at"])
    return len(rows)


def recompute_all(*, actor, sync: bool = True) -> RecomputeResult:
    """Evaluate every cell: areas × relevant services, set-based, one Land per transaction."""
    require_actor(actor)
    started = time.perf_counter()
    run = RecomputeRun.objects.create()
    if sync:
        sync_relevance()
        sync_areas()
    total = 0
    with connection.cursor() as cursor:
        _prepare(cursor)
        _build_best(cursor, keys=None, area_where="", area_params=[])
        if connection.vendor == "postgresql":
            total = _swap_in_all_cells(cursor)
        else:
            for land in Area.objects.order_by().values_list("land_code", flat=True).distinct():
                with transaction.atomic():
                    total += _write_cells(cursor, area_where="AND a.land_code = %s", area_params=[land],
                                          service_ids=None)
        _drop_temporary(cursor)
    summarise()
    catch_up(actor=actor, since=run.started_at)
    run.finished_at = timezone.now()
    run.cells = total
    run.save(update_fields=["finished_at", "cells"])
    return RecomputeResult(cells=total, seconds=time.perf_counter() - started)


def catch_up(*, actor, since) -> int:
    """Re-apply the changes made while a full recompute ran: it read the facts at its start, and an incremental
    recompute in the meantime wrote into the table the full run then replaced. Returns the incremental runs."""
    from amtsweg.casework.models import ReceivingSystem
    from amtsweg.routing.models import Responsibility
    from amtsweg.shop.models import Offer, Subscription
    from amtsweg.submissions.models import Submission

    todo: dict[str, set[str]] = {}
    for area_ars, key in Responsibility.objects.filter(updated_at__gte=since).values_list("area_ars", "leika_key"):
        todo.setdefault(area_ars, set()).add(key)
    for sub in Subscription.objects.filter(updated_at__gte=since).select_related("authority"):
        todo.setdefault(sub.authority.area_ars, set()).update(
            Offer.public_services.through.objects.filter(offer_id=sub.offer_id)
            .values_list("publicservice__key", flat=True))
    destinations = set(ReceivingSystem.objects.filter(changed_at__gte=since).values_list("destination_id", flat=True))
    received = set(Submission.objects.filter(submitted_at__gte=since).values_list("destination_id",
                                                                                  "service_identifier"))
    received_keys = {(d, si[len(LEIKA_URN):]) for d, si in received if si.startswith(LEIKA_URN)}
    for area_ars, key, destination_id in Responsibility.objects.filter(
            destination_id__in=destinations | {d for d, _k in received_keys}).values_list(
            "area_ars", "leika_key", "destination_id"):
        if destination_id in destinations or (destination_id, key) in received_keys:
            todo.setdefault(area_ars, set()).add(key)
    # Being online: offers saved, forms published, destinations and their encryption keys changed meanwhile.
    from django.db.models import Q

    from amtsweg.assistants.models import FormVersion
    from amtsweg.maturity import triggers
    from amtsweg.routing.models import Destination, DestinationKey

    published = list(FormVersion.objects.filter(published_at__gte=since).values_list("form__slug", "form__leika_key"))
    offers = Offer.objects.filter(Q(updated_at__gte=since) | Q(form_slug__in=[slug for slug, _k in published])
                                  ).values_list("pk", flat=True)
    changed = set(Destination.objects.filter(updated_at__gte=since).values_list("pk", flat=True)) | set(
        DestinationKey.objects.filter(Q(created_at__gte=since) | Q(retired_at__gte=since)).values_list(
            "destination_id", flat=True))
    for scope in (triggers.offer_scope(offers), triggers.destination_scope(changed),
                  triggers.form_key_scope({key for _slug, key in published})):
        for area_ars, keys in scope.items():
            todo.setdefault(area_ars, set()).update(keys)
    for area_ars, keys in todo.items():
        recompute_for(actor=actor, area_ars=area_ars, leika_keys=sorted(k for k in keys if k))
    return len(todo)


def _drop_temporary(cursor) -> None:
    for name in ("mt_anchor", "mt_prefix", "mt_best", "mt_levels", "mt_offer", "mt_land_form", "mt_key_form"):
        cursor.execute(f"DROP TABLE IF EXISTS {name}")


def services_of_keys(keys: list[str]) -> list[int]:
    """The relevant OZG-Leistungen of these LeiKa keys. One indexed statement: it runs after every application
    and every accept event (triggers.fact_seen), so it must not read the whole relevance table (issue 18)."""
    return sorted(set(ServiceRelevance.objects.filter(service__public_services__key__in=keys)
                      .values_list("service_id", flat=True)))


def recompute_for(*, actor, area_ars: str, leika_keys: list[str]) -> int:
    """Re-evaluate the cells of the Kommunen under `area_ars` (a Land, Kreis, Verband or Gemeinde prefix) for the
    OZG-Leistungen of `leika_keys`: what one subscription, responsibility or receiving-system change can alter.
    Returns the cells written."""
    require_actor(actor)
    keys = sorted({k for k in leika_keys if k})
    service_ids = services_of_keys(keys)
    if not service_ids or not area_ars:
        return 0
    # Every key of those services: the best key of a service may be another one than the one that changed.
    from amtsweg.catalogue.models import PublicService

    all_keys = sorted(set(PublicService.objects.filter(ozg_services__in=service_ids).exclude(key="")
                          .values_list("key", flat=True)))
    area_where = "AND a.ars LIKE %s"
    area_params = [area_ars + "%"]
    with transaction.atomic(), connection.cursor() as cursor:
        _prepare(cursor, all_keys)
        _build_best(cursor, keys=all_keys, area_where=area_where, area_params=area_params)
        written = _write_cells(cursor, area_where=area_where, area_params=area_params, service_ids=service_ids)
        _drop_temporary(cursor)
        area_ids = list(Area.objects.filter(ars__startswith=area_ars).values_list("pk", flat=True))
        summarise(area_ids)
    return written

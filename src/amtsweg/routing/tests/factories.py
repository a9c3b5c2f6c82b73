"""Factories for destinations, keys and responsibilities, with named states.

    DestinationFactory()                         active, pull channel, with an active encryption key
    DestinationFactory(callback=True)            also push to an HTTPS callback
    DestinationFactory(inactive=True)
    DestinationFactory(keys=False)               no keys at all
    DestinationKeyFactory(signature=True)        a PS512 verification key
    ResponsibilityFactory()                      Gemeinde-level, for the destination's authority
    ResponsibilityFactory(kreis=True) / (land=True)   at Kreis / Land level of the authority's area

Key material: RSA 4096 key pairs are expensive to make, so `cached_keypair(n)` caches a few per process;
`public_jwk(purpose, kid)` returns a FIT-Connect-conformant public JWK (`chain=True`: with the `x5c` the demo
PKI issued; DestinationKeyFactory's keys have one, as FIT-Connect's JWK schema requires).
"""

from __future__ import annotations

import functools
import uuid

import factory
from django.utils import timezone
from joserfc.jwk import RSAKey

from amtsweg.accounts.tests.factories import AuthorityFactory
from amtsweg.core import pki
from amtsweg.routing.models import Destination, DestinationKey, Responsibility

ALG = {"encryption": "RSA-OAEP-256", "signature": "PS512"}
OPS = {"encryption": ["wrapKey"], "signature": ["verify"]}


@functools.cache
def _keypair(number: int, bits: int) -> RSAKey:
    return RSAKey.generate_key(bits, private=True)


def cached_keypair(number: int = 0, bits: int = 4096) -> RSAKey:
    """A private RSA key, cached per process (number just selects a different one)."""
    return _keypair(number, bits)


def public_jwk(purpose: str = "encryption", kid: str | None = None, *, number: int = 0, bits: int = 4096,
               chain: bool = False) -> dict:
    """A public JWK of cached key `number`; with `chain`, the `x5c` the demo PKI issued for it."""
    public = cached_keypair(number, bits).as_dict(private=False)
    public.update({"kid": kid or f"key-{uuid.uuid4()}", "alg": ALG[purpose], "key_ops": OPS[purpose]})
    if chain:
        public["x5c"] = demo_x5c(number, bits, purpose)
    return public


@functools.cache
def _demo_x5c(number: int, bits: int, purpose: str) -> tuple[str, ...]:
    return tuple(pki.issue_x5c(cached_keypair(number, bits).public_key, f"Testschlüssel {number}", purpose=purpose))


def demo_x5c(number: int = 0, bits: int = 4096, purpose: str = "encryption") -> list[str]:
    """The demo PKI's certificate chain for cached key `number` (issued once per process)."""
    return list(_demo_x5c(number, bits, purpose))


class DestinationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Destination
        skip_postgeneration_save = True

    authority = factory.SubFactory(AuthorityFactory)
    name = factory.LazyAttribute(lambda o: f"Zustellpunkt {o.authority.name}")
    channels = factory.LazyFunction(lambda: ["pull"])
    status = Destination.Status.ACTIVE
    metadata_versions = factory.LazyFunction(lambda: ["1.0.0"])

    class Params:
        callback = factory.Trait(
            channels=["pull", "callback"], callback_url="https://fachverfahren.example.org/callbacks/amtsweg"
        )
        email = factory.Trait(channels=["email"], notification_email="poststelle@kommune.example")
        inactive = factory.Trait(status=Destination.Status.INACTIVE)

    @factory.post_generation
    def keys(self, create, extracted, **kwargs):
        """An active encryption key unless `keys=False`."""
        if create and extracted is None:
            DestinationKeyFactory(destination=self)


class DestinationKeyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DestinationKey

    destination = factory.SubFactory(DestinationFactory, keys=False)
    purpose = DestinationKey.Purpose.ENCRYPTION
    kid = factory.Sequence(lambda n: f"kid-{n:04d}-{uuid.uuid4().hex[:8]}")
    jwk = factory.LazyAttribute(lambda o: public_jwk(o.purpose, o.kid, chain=True))
    activated_at = factory.LazyFunction(timezone.now)

    class Params:
        signature = factory.Trait(purpose=DestinationKey.Purpose.SIGNATURE)
        pending = factory.Trait(activated_at=None)


class ResponsibilityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Responsibility

    destination = factory.SubFactory(DestinationFactory)
    authority = factory.SelfAttribute("destination.authority")
    leika_key = "99102013000000"  # Hundesteuer
    area_ars = factory.LazyAttribute(lambda o: o.authority.area_ars)

    class Params:
        kreis = factory.Trait(area_ars=factory.LazyAttribute(lambda o: o.authority.area_ars[:5]))
        land = factory.Trait(area_ars=factory.LazyAttribute(lambda o: o.authority.area_ars[:2]))

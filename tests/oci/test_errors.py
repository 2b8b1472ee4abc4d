"""Bad input: one clear line, the documented exit code, never a traceback."""

from __future__ import annotations

import pytest

from providers.oci.ocid import parse_ocid
from providers.oci.plugin import plugin
from scanner.errors import CredentialsError, NotFoundError, UsageError
from tests.oci.conftest import PROD, backends, estate, lb_entry, pipeline_entry

LB = "ocid1.loadbalancer.oc1.uk-london-1.aaaaaaaaexample"


@pytest.mark.parametrize(
    "text,problem",
    [
        ("ocid1.loadbalancer", "it has 2 dot-separated parts where an OCID has 5 (or 6)"),
        ("ocid2.loadbalancer.oc1.uk-london-1.aaaaaaaaexample", "must start with 'ocid1.'"),
        ("ocid1.LoadBalancer.oc1.uk-london-1.aaaaaaaaexample", "resource type 'LoadBalancer'"),
        ("ocid1.loadbalancer.xx1.uk-london-1.aaaaaaaaexample", "realm 'xx1'"),
        ("ocid1.loadbalancer.oc1.uk_london_1.aaaaaaaaexample", "region 'uk_london_1'"),
        ("ocid1.loadbalancer.oc1.uk-london-1.AAAA-bad", "the unique id"),
        ("ocid1.loadbalancer.oc1.uk-london-1.aaaa", "the unique id"),
        ("ocid1.loadbalancer.oc1.uk-london-1.x!.aaaaaaaaexample", "segment 'x!'"),
    ],
)
def test_malformed_ocids(serve, text, problem):
    served = serve(estate())
    with pytest.raises(UsageError) as err:
        served.check(text)
    assert str(err.value).startswith(f"malformed OCID {text!r}: ")
    assert problem in str(err.value)
    assert "\n" not in str(err.value)


def test_ocid_parts():
    ocid = parse_ocid("ocid1.tenancy.oc1..aaaaaaaaexample")
    assert (ocid.type, ocid.realm, ocid.region) == ("tenancy", "oc1", "")


def test_unsupported_kind(serve):
    with pytest.raises(UsageError, match=r"unsupported OCID kind 'instance'; relscan checks"):
        serve(estate()).check("ocid1.instance.oc1.uk-london-1.aaaaaaaaexample")


def test_compartment_option_must_be_a_compartment(serve):
    served = serve(estate())
    with pytest.raises(UsageError, match="expected a compartment or tenancy OCID"):
        served.scan(oci_compartment=(LB,))
    with pytest.raises(UsageError, match="malformed OCID 'prod'"):
        served.scan(oci_compartment=("prod",))


def test_bad_region(serve):
    with pytest.raises(UsageError, match="--oci-region 'London': not an OCI region name"):
        serve(estate()).scan(oci_region=("London",))


def test_check_not_found(serve):
    with pytest.raises(NotFoundError, match=f"no such resource: {LB}"):
        serve(estate()).check(LB)


def test_check_load_balancer_and_pipeline(serve):
    part = estate(
        load_balancers=[lb_entry("web", {"web": {"backends": backends({})}})],
        deploy_pipelines=[
            pipeline_entry(
                "release",
                [{"displayName": "x", "deployStageType": "OKE_DEPLOYMENT", "namespace": "n"}],
            )
        ],
    )
    served = serve(part)
    found, _ = served.collect(oci_compartment=(PROD,))
    ids = {o.name: o.id for o in found}
    lb = served.check(ids["web"])
    assert (lb.level, lb.rule, lb.name) == (1, "OCI-LB-1-SINGLE-BACKEND", "web")
    pipe = served.check(ids["release"])
    assert (pipe.level, pipe.rule) == (2, "OCI-DEVOPS-2-ROLLING")
    calls = [c[0] for c in served.emulator.calls[-3:]]
    assert calls == ["GetLoadBalancer", "GetDeployPipeline", "ListDeployStages"]


def test_check_region_key_in_ocid(serve):
    served = serve(estate(load_balancers=[lb_entry("web", {"web": {"backends": backends({})}})]))
    lb_id = served.collect(oci_compartment=(PROD,))[0][0].id
    unique = lb_id.rsplit(".", 1)[1]
    with pytest.raises(NotFoundError):  # lhr is uk-london-1: asked there, and not found
        served.check(f"ocid1.loadbalancer.oc1.lhr.{unique}")
    assert served.emulator.calls[-1][:2] == ("GetLoadBalancer", "uk-london-1")


def test_missing_config_file(tmp_path):
    missing = tmp_path / "config"
    with pytest.raises(CredentialsError) as err:
        plugin.configure({"oci_config_file": str(missing)})
    assert str(err.value).startswith(f"OCI config file {missing}: no such file")


@pytest.mark.parametrize(
    "text,problem",
    [
        ("garbage\n", "not a valid config file (File contains no section headers)"),
        (
            "[DEFAULT]\nuser=ocid1.user.oc1..aaaaaaaauser\ntenancy=ocid1.tenancy.oc1..aaaaaaaat\n",
            "[DEFAULT]: fingerprint is missing; key_file is missing; region is missing",
        ),
        (
            "[DEFAULT]\nuser=u\nfingerprint=aa\nkey_file=/nonexistent/key.pem\ntenancy=t\n"
            "region=uk-london-1\n",
            "must be a valid file path",
        ),
        (
            "[DEFAULT]\nuser=u\nfingerprint=aa\nkey_file=KEY\ntenancy=t\nregion=uk-london-1\n",
            "fingerprint is malformed; tenancy is malformed; user is malformed",
        ),
        (
            "[DEFAULT]\nuser=ocid1.user.oc1..aaaaaaaauser\nfingerprint="
            + ":".join(["ab"] * 16)
            + "\nkey_file=KEY\ntenancy=ocid1.tenancy.oc1..aaaaaaaat\nregion=uk-london-1\n",
            "the private key cannot be used",
        ),
    ],
)
def test_broken_config_file(tmp_path, text, problem):
    key = tmp_path / "key.pem"
    key.write_text("not a key\n")
    config = tmp_path / "config"
    config.write_text(text.replace("KEY", str(key)))
    with pytest.raises(CredentialsError) as err:
        plugin.configure({"oci_config_file": str(config)})
    message = str(err.value)
    assert message.startswith(f"OCI config file {config}")
    assert problem in message
    assert "\n" not in message


def test_missing_profile(tmp_path):
    config = tmp_path / "config"
    config.write_text("[DEFAULT]\nregion=uk-london-1\n")
    with pytest.raises(CredentialsError, match=r"no profile \[OPS\]"):
        plugin.configure({"oci_config_file": str(config), "oci_profile": "OPS"})


def test_instance_principal_unavailable(monkeypatch):
    monkeypatch.setenv("OCI_METADATA_BASE_URL", "http://127.0.0.1:9/opc/v2")
    import oci

    def refuse(*args, **kwargs):
        raise oci.exceptions.ServiceError(404, "NotFound", {}, "no metadata service")

    monkeypatch.setattr(oci.auth.signers, "InstancePrincipalsSecurityTokenSigner", refuse)
    with pytest.raises(CredentialsError, match="OCI instance principal: not available here"):
        plugin.configure({"oci_auth": "instance_principal"})


def test_resource_principal_unavailable(monkeypatch):
    for key in ("OCI_RESOURCE_PRINCIPAL_VERSION", "OCI_RESOURCE_PRINCIPAL_RPST"):
        monkeypatch.delenv(key, raising=False)
    with pytest.raises(CredentialsError, match="OCI resource principal: not available here"):
        plugin.configure({"oci_auth": "resource_principal"})


def test_unknown_auth_mode_is_a_usage_error():
    with pytest.raises(UsageError, match="--oci-auth 'password'"):
        plugin.configure({"oci_auth": "password"})

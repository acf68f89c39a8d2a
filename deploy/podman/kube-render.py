#!/usr/bin/python3
"""Turns the rendered Kustomize output of k8s/ into a manifest `podman kube play` can run here: one Pod.

    kube-render.py RENDERED.yaml POD IMAGE_TAG SECRETS_DIR PORTS_JSON > kube-play.yaml

What it keeps from the manifests, unchanged: every container of the cloud-sync and payment-worker Deployments'
pod templates (name, image name, args, env, containerPort, resources, securityContext, the mount paths of
their volumes) and the pod's securityContext. What it changes, because podman 4.3 (or one machine) cannot do
it, each checked by deploy/podman/kube-smoke.sh:
  * the two Deployments become one Pod, so that the services share its loopback as they would share a
    cluster's network: cloud-sync once (three replicas would all listen on 8081 in one network namespace) and
    payment-worker twice (payment-worker-1 on the template's port, payment-worker-2 with SERVER_PORT one above);
  * images: openparking/cloud becomes localhost/openparking/cloud:IMAGE_TAG, the image built here (the tag
    must be the kustomization's newTag: the manifests and the images are one release);
  * Secret volumes (kube play has no Secret kind or secret volumes) become hostPath volumes of the files in
    SECRETS_DIR/<secretName>/<key>; a subPath mount (not supported by kube play) becomes a hostPath File at
    the same mountPath;
  * probes are left out: kube play would turn the liveness probe into a health check that runs curl, which the
    runtime image does not have; the smoke test requests each probe's path and port itself;
  * what the cluster provides by reference becomes containers of the same pod: the RabbitmqCluster is the
    openparking/rabbitmq image (one node), the ExternalName postgres the openparking/postgres image, both on
    the pod's 127.0.0.1; the services' configs (SECRETS_DIR) point there;
  * the http ports are published on the host's 127.0.0.1 only, on the free ports of PORTS_JSON
    ({"cloud-sync": N, "payment-worker-1": N, "payment-worker-2": N}).
"""
import copy
import json
import sys

import yaml

rendered, pod_name, tag, secrets_dir, ports_json = sys.argv[1:6]
host_ports = json.loads(ports_json)
docs = [d for d in yaml.safe_load_all(open(rendered)) if d]
by_kind = {(d["kind"], d["metadata"]["name"]): d for d in docs}
kustomized_tag = None


def die(msg):
    sys.exit("kube-render: " + msg)


def deployment(name):
    d = by_kind.get(("Deployment", name)) or die("no Deployment " + name)
    return d["spec"]["template"]["spec"]


def local_image(image):
    global kustomized_tag
    name, _, t = image.partition(":")
    if name != "openparking/cloud":
        die("unexpected image " + image)
    if t != tag:
        die("the manifests name %s, the images here are tagged %s" % (image, tag))
    kustomized_tag = t
    return "localhost/openparking/cloud:" + tag


def adapt(template, container, volumes, suffix=""):
    c = copy.deepcopy(container)
    # The pod template's securityContext (uid 10001, non-root) moves to the container, where Kubernetes
    # would apply it too: the pod also holds the brokers, whose images choose their own users.
    pod_sc = {k: v for k, v in template.get("securityContext", {}).items() if k in ("runAsUser", "runAsGroup", "runAsNonRoot")}
    c["securityContext"] = dict(pod_sc, **c.get("securityContext", {}))
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        c.pop(probe, None)
    c["image"] = local_image(c["image"])
    c["name"] = c["name"] + suffix
    mounts = []
    for m in c.get("volumeMounts", []):
        v = next(v for v in template["volumes"] if v["name"] == m["name"])
        if "secret" in v:
            secret = v["secret"]["secretName"]
            if "subPath" in m:
                vname = "%s-%s" % (secret, m["subPath"].replace(".", "-"))
                volumes[vname] = {"name": vname, "hostPath": {"path": "%s/%s/%s" % (secrets_dir, secret, m["subPath"]), "type": "File"}}
                mounts.append({"name": vname, "mountPath": m["mountPath"], "readOnly": True})
            else:
                volumes[secret] = {"name": secret, "hostPath": {"path": "%s/%s" % (secrets_dir, secret), "type": "Directory"}}
                mounts.append({"name": secret, "mountPath": m["mountPath"], "readOnly": True})
        elif "emptyDir" in v:
            vname = m["name"] + suffix
            volumes[vname] = {"name": vname, "emptyDir": {}}
            mounts.append(dict(m, name=vname))
        else:
            die("volume %s of %s: only secret and emptyDir volumes are expected" % (v["name"], c["name"]))
    c["volumeMounts"] = mounts
    return c


def publish(c, key):
    port = next(p for p in c["ports"] if p["name"] == "http")
    port["hostIP"] = "127.0.0.1"
    port["hostPort"] = host_ports[key]
    return c


for kind, name in (("RabbitmqCluster", "rabbitmq"), ("Service", "postgres")):
    if (kind, name) not in by_kind:
        die("no %s %s in the manifests" % (kind, name))

volumes = {}
cs_template = deployment("cloud-sync")
pw_template = deployment("payment-worker")
(cs,) = cs_template["containers"]
(pw,) = pw_template["containers"]
containers = [publish(adapt(cs_template, cs, volumes), "cloud-sync")]
pw_port = next(p for p in pw["ports"] if p["name"] == "http")["containerPort"]
for n in (1, 2):
    c = adapt(pw_template, pw, volumes, "-%d" % n)
    if n == 2:
        c["env"] = c.get("env", []) + [{"name": "SERVER_PORT", "value": str(pw_port + 1)}]
        for p in c["ports"]:
            if p["name"] == "http":
                p["containerPort"] = pw_port + 1
    containers.append(publish(c, "payment-worker-%d" % n))

# The cluster's references: one RabbitMQ node and one PostgreSQL server in the pod.
volumes["erlang-cookie"] = {"name": "erlang-cookie", "hostPath": {"path": secrets_dir + "/rabbitmq/erlang-cookie", "type": "File"}}
volumes["db-passwords"] = {"name": "db-passwords", "hostPath": {"path": secrets_dir + "/postgres", "type": "Directory"}}
containers += [
    {"name": "rabbitmq", "image": "localhost/openparking/rabbitmq:" + tag,
     "volumeMounts": [{"name": "erlang-cookie", "mountPath": "/run/secrets/erlang-cookie", "readOnly": True}]},
    {"name": "postgres", "image": "localhost/openparking/postgres:" + tag,
     "env": [{"name": "POSTGRES_DATABASES",
              "value": "parking:cloud_sync:/run/db/cloud-sync-db-password payments:payment_worker:/run/db/payment-worker-db-password"}],
     "volumeMounts": [{"name": "db-passwords", "mountPath": "/run/db", "readOnly": True}]},
]
pod = {
    "apiVersion": "v1",
    "kind": "Pod",
    "metadata": {"name": pod_name, "labels": {"app.kubernetes.io/part-of": "openparking"}},
    "spec": {
        "containers": containers,
        "volumes": list(volumes.values()),
    },
}
yaml.safe_dump(pod, sys.stdout, sort_keys=False)

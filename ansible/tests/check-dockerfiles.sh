#!/usr/bin/env bash
# Static checks of Dockerfile.edge, Dockerfile.cloud, .dockerignore and docker-compose.yml
# (there is no Docker engine here, so nothing is built or run):
#  - base images pinned (a tag that is not "latest", or a digest); every stage's FROM known;
#  - every COPY source from the build context exists and is not excluded by .dockerignore;
#  - every COPY --from=<stage> source is produced by that stage: a path the stage itself
#    writes (RUN/COPY), or a module's target/ file that exists after a build (checked against
#    the repo's target/ once the module's jar is packaged, and against its app.main.class);
#  - the final stage runs as a non-root USER and has a HEALTHCHECK; the edge image has a VOLUME
#    and EXPOSE;
#  - compose: build contexts, Dockerfiles and bind-mounted files exist, depends_on names exist,
#    every service has a healthcheck (its own or its image's), images pinned; then
#    `docker-compose config -q` / `docker compose config -q` where a client can parse offline.
set -euo pipefail
# Optional argument: another checkout to check (run.sh uses it to prove the checks can fail).
repo=$(cd "${1:-$(dirname "$0")/../..}" && pwd)
exec /usr/bin/python3 - "$repo" <<'PY'
import fnmatch, os, re, shutil, subprocess, sys
import yaml

repo = sys.argv[1]
problems, notes = [], []

def problem(msg): problems.append(msg)

def parse_dockerfile(path):
    """Instructions as (KEYWORD, argument text, heredoc bodies), continuations joined."""
    lines = open(path).read().split("\n")
    out, i = [], 0
    while i < len(lines):
        line = lines[i].strip()
        i += 1
        if not line or line.startswith("#"):
            continue
        while line.endswith("\\") and i < len(lines):
            line = line[:-1].rstrip() + " " + lines[i].strip()
            i += 1
        heredocs = {}
        for tag in re.findall(r"<<-?'?\"?([A-Z]+)'?\"?", line):
            body = []
            while i < len(lines) and lines[i].strip() != tag:
                body.append(lines[i]); i += 1
            i += 1
            heredocs[tag] = "\n".join(body)
        kw, _, rest = line.partition(" ")
        out.append((kw.upper(), rest.strip(), heredocs))
    return out

def dockerignore_patterns():
    pats = []
    p = os.path.join(repo, ".dockerignore")
    if os.path.exists(p):
        for raw in open(p):
            raw = raw.strip()
            if raw and not raw.startswith("#"):
                neg = raw.startswith("!")
                pats.append((neg, raw[1:] if neg else raw))
    return pats

def seg_match(pat, path):
    ps, xs = pat.strip("/").split("/"), path.strip("/").split("/")
    def rec(a, b):
        if not a: return not b
        if a[0] == "**":
            return any(rec(a[1:], b[k:]) for k in range(len(b) + 1))
        return bool(b) and fnmatch.fnmatchcase(b[0], a[0]) and rec(a[1:], b[1:])
    return rec(ps, xs)

def ignored(path, pats):
    """Docker's rule: the last pattern matching the path (or a parent of it) decides."""
    parts = path.strip("/").split("/")
    prefixes = ["/".join(parts[:k]) for k in range(1, len(parts) + 1)]
    state = False
    for neg, pat in pats:
        if any(seg_match(pat, p) for p in prefixes):
            state = not neg
    return state

def pinned(image):
    if "@sha256:" in image: return True
    name = image.split("/")[-1]
    return ":" in name and not name.endswith(":latest")

def module_builds_jar(module):
    pom = os.path.join(repo, module, "pom.xml")
    return os.path.exists(pom) and "<app.main.class>" in open(pom).read()

def check_dockerfile(name, expect_volume):
    path = os.path.join(repo, name)
    if not os.path.exists(path):
        problem(name + ": missing"); return
    ins = parse_dockerfile(path)
    pats = dockerignore_patterns()
    stages, current, workdir = {}, None, {}
    build_args = {}
    final = None
    for kw, arg, heredocs in ins:
        if kw == "ARG":
            # A base image given as a build argument is checked by its default.
            key, _, default = arg.partition("=")
            if default:
                build_args[key.strip()] = default.strip().strip('"')
        elif kw == "FROM":
            words = [w for w in arg.split() if not w.startswith("--")]
            image = re.sub(r"\$\{?(\w+)\}?", lambda m: build_args.get(m.group(1), m.group(0)), words[0])
            alias = words[2] if len(words) >= 3 and words[1].upper() == "AS" else None
            if image not in stages and not pinned(image):
                problem("%s: base image %s is not pinned to a tag or digest" % (name, image))
            current = {"alias": alias, "image": image, "writes": [], "user": None, "health": None,
                       "volume": False, "expose": False, "workdir": "/"}
            if alias: stages[alias] = current
            final = current
        elif kw == "WORKDIR":
            current["workdir"] = arg
        elif kw == "RUN":
            current["writes"].append(arg)
        elif kw in ("COPY", "ADD"):
            words = arg.split()
            flags = [w for w in words if w.startswith("--")]
            srcs = [w for w in words if not w.startswith("--")][:-1]
            dest = [w for w in words if not w.startswith("--")][-1]
            current["writes"].append(dest)
            from_stage = next((f.split("=", 1)[1] for f in flags if f.startswith("--from=")), None)
            for src in srcs:
                if src.startswith("<<"):
                    continue  # heredoc: the source is inline
                if from_stage is None and src in (".", "./"):
                    continue  # the context root; what it lets through is checked per module below
                if from_stage is None:
                    full = os.path.join(repo, src)
                    if not os.path.exists(full):
                        problem("%s: COPY source %s does not exist" % (name, src))
                    elif ignored(src, pats):
                        problem("%s: COPY source %s is excluded by .dockerignore" % (name, src))
                    continue
                stage = stages.get(from_stage)
                if stage is None:
                    problem("%s: COPY --from=%s names no earlier stage" % (name, from_stage)); continue
                m = re.match(r"^/src/([^/]+)/target/(.+?)/?$", src)
                if m:
                    module, rel = m.groups()
                    if not module_builds_jar(module):
                        problem("%s: %s: module %s builds no runnable jar (no app.main.class)" % (name, src, module))
                    if not any("-pl" in r and module in r for r in stage["writes"]):
                        problem("%s: %s: stage %s never builds module %s" % (name, src, from_stage, module))
                    # Once the module is packaged (its jar exists), everything copied must be there.
                    target = os.path.join(repo, module, "target")
                    if os.path.exists(os.path.join(target, module + ".jar")):
                        if not os.path.exists(os.path.join(target, rel)):
                            problem("%s: %s: %s is packaged but target/ has no %s" % (name, src, module, rel))
                    else:
                        notes.append("%s: %s not packaged here; checked against the pom only" % (name, src))
                elif not any(src.rstrip("/") in w or os.path.dirname(src.rstrip("/")) in w for w in stage["writes"]):
                    problem("%s: COPY --from=%s %s: that stage never writes it" % (name, from_stage, src))
        elif kw == "USER":
            current["user"] = arg
        elif kw == "HEALTHCHECK":
            current["health"] = arg
        elif kw == "VOLUME":
            current["volume"] = True
        elif kw == "EXPOSE":
            current["expose"] = True
    if final is None:
        problem(name + ": no FROM"); return
    user = (final["user"] or "root").split(":")[0]
    if user in ("root", "0"):
        problem("%s: the final stage runs as root (USER %s)" % (name, final["user"]))
    if not final["health"] or final["health"].upper().startswith("NONE"):
        problem(name + ": the final stage has no HEALTHCHECK")
    if not final["expose"]:
        problem(name + ": the final stage has no EXPOSE")
    if expect_volume and not final["volume"]:
        problem(name + ": no VOLUME for the data directory")
    print("checked %s: %d instructions, final image %s, USER %s" % (name, len(ins), final["image"], final["user"]))

check_dockerfile("Dockerfile.edge", expect_volume=True)
check_dockerfile("Dockerfile.cloud", expect_volume=False)

# Maven needs every module's pom of the reactor, and the sources of what it builds.
modules = re.findall(r"<module>([^<]+)</module>", open(os.path.join(repo, "pom.xml")).read())
pats = dockerignore_patterns()
for df in ("Dockerfile.edge", "Dockerfile.cloud"):
    text = open(os.path.join(repo, df)).read()
    whole = re.search(r"^COPY \.\.? ", text, re.M) is not None
    if whole and ignored("pom.xml", pats):
        problem("%s: .dockerignore excludes the parent pom.xml" % df)
    for m in modules:
        if whole:
            for part in ("pom.xml", "src"):
                if os.path.exists(os.path.join(repo, m, part)) and ignored(m + "/" + part, pats):
                    problem("%s: .dockerignore excludes %s/%s" % (df, m, part))
        elif "COPY %s/pom.xml" % m not in text:
            problem("%s: reactor module %s's pom.xml is not copied (Maven would fail)" % (df, m))

compose_path = os.path.join(repo, "docker-compose.yml")
compose = yaml.safe_load(open(compose_path))
services = compose.get("services", {})
for svc, spec in services.items():
    build = spec.get("build")
    if build:
        ctx = build if isinstance(build, str) else build.get("context", ".")
        df = "Dockerfile" if isinstance(build, str) else build.get("dockerfile", "Dockerfile")
        if not os.path.isdir(os.path.join(repo, ctx)):
            problem("compose %s: build context %s missing" % (svc, ctx))
        if not os.path.exists(os.path.join(repo, ctx, df)):
            problem("compose %s: %s missing" % (svc, df))
    image = spec.get("image")
    if image and not build and not pinned(image):
        problem("compose %s: image %s not pinned" % (svc, image))
    for vol in spec.get("volumes", []):
        src = vol.split(":")[0] if isinstance(vol, str) else vol.get("source", "")
        if src.startswith(".") or src.startswith("/"):
            if not os.path.exists(os.path.join(repo, src)):
                problem("compose %s: bind-mounted %s does not exist" % (svc, src))
        elif src not in (compose.get("volumes") or {}):
            problem("compose %s: named volume %s is not declared" % (svc, src))
    for f in spec.get("env_file", []) if isinstance(spec.get("env_file"), list) else ([spec["env_file"]] if spec.get("env_file") else []):
        if not os.path.exists(os.path.join(repo, f)):
            problem("compose %s: env_file %s missing" % (svc, f))
    deps = spec.get("depends_on", {})
    for dep in (deps if isinstance(deps, list) else deps.keys()):
        if dep not in services:
            problem("compose %s: depends_on unknown service %s" % (svc, dep))
        elif not isinstance(deps, list) and deps[dep].get("condition") == "service_healthy":
            dspec = services[dep]
            if "healthcheck" not in dspec and not dspec.get("build"):
                problem("compose %s: waits for %s to be healthy but it has no healthcheck" % (svc, dep))
    if "healthcheck" not in spec and not build:
        problem("compose %s: no healthcheck" % svc)
wanted = {"rabbitmq", "postgres", "mosquitto", "cloud-sync"}
if not wanted <= set(services):
    problem("compose: missing services %s" % (wanted - set(services)))
workers = [s for s, v in services.items() if "payment-worker" in v.get("command", [])]
edges = [s for s, v in services.items() if "Dockerfile.edge" in str(v.get("build", ""))]
if len(workers) < 2: problem("compose: fewer than two payment workers")
if len(edges) < 2: problem("compose: fewer than two edge levels")
levels = {services[e]["environment"].get("EDGE_LEVEL_ID") for e in edges}
ports = {services[e]["environment"].get("SERVER_PORT") for e in edges}
if len(levels) < len(edges) or len(ports) < len(edges):
    problem("compose: the edge levels need different level ids and ports")
print("checked docker-compose.yml: %d services (%d payment workers, %d edge levels)" % (len(services), len(workers), len(edges)))

for tool in (["docker-compose"], ["docker", "compose"]):
    label = " ".join(tool)
    if shutil.which(tool[0]) is None:
        notes.append(label + ": not installed"); continue
    if subprocess.run(tool + ["version"], capture_output=True).returncode != 0:
        notes.append(label + ": no compose plugin in this Docker client"); continue
    r = subprocess.run(tool + ["-f", compose_path, "config", "-q"], capture_output=True, text=True, cwd=repo)
    if r.returncode == 0:
        print(label + " config -q: compose file valid (parsed without a Docker engine)")
    else:
        problem("%s config -q failed: %s" % (label, r.stderr.strip()[:500]))

for n in notes: print("note: " + n)
for p in problems: print("PROBLEM: " + p)
print("dockerfiles: %d problem(s)" % len(problems))
sys.exit(1 if problems else 0)
PY

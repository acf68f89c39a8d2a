#!/usr/bin/env bash
# Tests of the fleet rollout that run on this machine (no Docker engine, no remote hosts):
# lint and syntax, a real rollout/upgrade/failed-upgrade/rollback of two levels of the real
# edge jar in process mode, the RabbitMQ role and edge permissions against the local broker
# (throwaway vhost) with the cloud services started on the cloud role's environment, the Mosquitto role and ACL against a private mosquitto, and the static
# Dockerfile/compose checks.  Prints "ansible: N passed, M failed"; exits non-zero on failure.
#
#   ansible/tests/run.sh                 all checks (EDGE_TARGET_DIR=... for another edge build)
#   ansible/tests/run.sh t_mosquitto     only the named checks (t_lint t_syntax t_install t_unit
#                                        t_upgrade t_failed_upgrade t_rollback t_rabbitmq t_cloud t_mosquitto
#                                        t_mosquitto_tls t_docker;
#                                        t_unit..t_rollback need t_install before them, t_cloud needs t_rabbitmq)
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
ansible_dir=$(cd "$here/.." && pwd)
repo=$(cd "$ansible_dir/.." && pwd)
cd "$ansible_dir"

EDGE_TARGET_DIR=${EDGE_TARGET_DIR:-$repo/edge-controller/target}
PY=/usr/bin/python3
VAULT_PASS="$here/example-vault-password.txt"
export ANSIBLE_CONFIG="$ansible_dir/ansible.cfg" ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0 NO_COLOR=1

only=("$@")
run_id="t$$$(date +%s | tail -c 5)"
work=$(mktemp -d "/tmp/parking-ansible-test.XXXXXX")
chmod 0755 "$work"
test_user="pkedge-$run_id"
vhost="/parking-test-$run_id"
admin_user="parking-admin-$run_id"
mosquitto_pid=""
cloud_pids=()
cloud_dbs=()
cloud_roles=()
passed=0
failed=0

free_port() { $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
port_l0=$(free_port); port_l1=$(free_port); mqtt_port=$(free_port)

cleanup() {
    for level in L0 L1; do
        [ -x "$work/$level/opt/bin/edgectl" ] && "$work/$level/opt/bin/edgectl" stop >/dev/null 2>&1
    done
    for p in $mosquitto_pid; do kill "$p" 2>/dev/null; done
    for p in "${cloud_pids[@]}"; do kill "$p" 2>/dev/null; done
    for db in "${cloud_dbs[@]}"; do psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1; done
    for r in "${cloud_roles[@]}"; do psql -h 127.0.0.1 -U postgres -qc "DROP ROLE IF EXISTS $r" >/dev/null 2>&1; done
    for u in "edge-$run_id-L0" "edge-$run_id-L1" "$admin_user" "cloud-sync-$run_id" "payment-worker-$run_id"; do
        rabbitmqctl -q -n rabbit@localhost delete_user "$u" >/dev/null 2>&1
    done
    rabbitmqctl -q -n rabbit@localhost delete_vhost "$vhost" >/dev/null 2>&1
    id "$test_user" >/dev/null 2>&1 && userdel "$test_user" >/dev/null 2>&1
    rm -rf "$work"
}
trap cleanup EXIT INT TERM

extra=(-e "test_root=$work" -e "test_lot=$run_id" -e "test_user=$test_user"
       -e "test_port_l0=$port_l0" -e "test_port_l1=$port_l1" -e "test_vhost=$vhost"
       -e "test_admin_user=$admin_user" -e "test_mqtt_port=$mqtt_port")
play() { ansible-playbook -i tests/inventory/hosts.yml --vault-password-file "$VAULT_PASS" "${extra[@]}" "$@"; }

# check NAME FUNCTION: runs FUNCTION with output in a log, prints the log's tail on failure.
check() {
    local name=$1 fn=$2 log="$work/$2.log" start=$SECONDS
    if [ ${#only[@]} -gt 0 ] && [[ " ${only[*]} " != *" $fn "* ]]; then return 0; fi
    echo "--- $name"
    assertion_failures=0
    if "$fn" >"$log" 2>&1 && [ "$assertion_failures" -eq 0 ]; then
        passed=$((passed + 1)); echo "ok   $name ($((SECONDS - start))s)"
    else
        failed=$((failed + 1)); echo "FAIL $name ($((SECONDS - start))s)"; tail -n 60 "$log" | sed 's/^/     /'
    fi
}

# Counted, so a failed assertion fails its check even when later commands succeed.
assertion_failures=0
fail() { echo "ASSERTION FAILED: $*"; assertion_failures=$((assertion_failures + 1)); return 1; }
current_of() { readlink "$work/$1/opt/current"; }
previous_of() { readlink "$work/$1/opt/previous" 2>/dev/null; }
pid_of() { cat "$work/$1/data/edge.pid" 2>/dev/null; }
healthy() { curl -fsS --max-time 5 "http://127.0.0.1:$1/observe/health" >/dev/null; }
port_of() { if [ "$1" = L0 ]; then echo "$port_l0"; else echo "$port_l1"; fi; }
expect_level() { # LEVEL CURRENT [PREVIOUS]
    local cur; cur=$(current_of "$1")
    [ "$cur" = "releases/$2" ] || fail "$1: current -> '$cur', expected releases/$2"
    if [ $# -ge 3 ]; then
        [ "$(previous_of "$1")" = "releases/$3" ] || fail "$1: previous -> '$(previous_of "$1")', expected releases/$3"
    fi
    healthy "$(port_of "$1")" || fail "$1: /observe/health on port $(port_of "$1") is not 200"
    grep -q "current/edge-controller.jar" "/proc/$(pid_of "$1")/cmdline" || fail "$1: no running edge process"
}

t_lint() {
    ansible-lint --version
    ansible-lint --nocolor site.yml rollout.yml rollback.yml broker.yml cloud.yml roles/
}

t_syntax() {
    local pb ex="$work/example-inventory" pass="$work/example-vault-pass"
    # The example inventory ships its secrets as a plain-text template: make the vault as docs/deployment.md says,
    # with a password generated here.
    cp -r inventory/example "$ex"
    [ ! -e inventory/example/group_vars/all/vault.yml ] || fail "the example inventory ships a vault (whose password would be public)"
    cp "$ex/group_vars/all/vault.yml.example" "$ex/group_vars/all/vault.yml"
    (umask 077; openssl rand -base64 32 >"$pass")
    ansible-vault encrypt --vault-password-file "$pass" "$ex/group_vars/all/vault.yml" || return 1
    for pb in site.yml rollout.yml rollback.yml broker.yml cloud.yml; do
        ansible-playbook --syntax-check -i "$ex/hosts.yml" --vault-password-file "$pass" "$pb" || return 1
        play --syntax-check "$pb" || return 1
    done
    # The vault decrypts and every edge's templated AMQP URI renders.
    ansible -i "$ex/hosts.yml" --vault-password-file "$pass" edges -m ansible.builtin.debug \
        -a '{"msg": "{{ edge_amqp_uri }} {{ edge_tickets_secret | length }}"}' -e ansible_connection=local \
        | tee "$work/example-vars.txt"
    grep -q 'amqps://edge-downtown-L1:example-l1-amqp-Ch4nge-me@rabbit.example.net:5671/%2Fparking' "$work/example-vars.txt" \
        || fail "example inventory did not render the L1 AMQP URI from the vault"
    # Encrypted with the published example password instead, any role stops before it does anything.
    ansible-vault rekey --vault-password-file "$pass" --new-vault-password-file "$VAULT_PASS" "$ex/group_vars/all/vault.yml" \
        || return 1
    if ansible-playbook -i "$ex/hosts.yml" --vault-password-file "$VAULT_PASS" cloud.yml --limit cloud-1 \
        -e ansible_connection=local >"$work/published-vault.txt" 2>&1; then
        fail "a role ran on an inventory encrypted with the published example password"
    fi
    grep -q 'opens with the example vault password published in this repository' "$work/published-vault.txt" \
        || fail "no clear message for a vault with the published password"
    grep -q "$ex/group_vars/all/vault.yml" "$work/published-vault.txt" || fail "the refusal does not name the vault file"
    ! grep -q 'Render the environment' "$work/published-vault.txt" || fail "the cloud role got past the vault check"
}

# Three builds of the same real edge jar: v1, v2 (another label), v3-broken (libs/ missing,
# so the JVM dies at start: a packaging bug that must never reach the fleet).
t_builds() {
    if [ ! -f "$EDGE_TARGET_DIR/edge-controller.jar" ] || [ ! -d "$EDGE_TARGET_DIR/libs" ]; then
        fail "no edge build at $EDGE_TARGET_DIR (edge-controller.jar + libs/): run 'mvn -B -o -pl edge-controller -am package -DskipTests' first"
        return 1
    fi
    mkdir -p "$work/build/good" "$work/build/broken" "$work/dist"
    cp -a "$EDGE_TARGET_DIR/edge-controller.jar" "$EDGE_TARGET_DIR/libs" "$EDGE_TARGET_DIR/edge.jvmopts" "$work/build/good/"
    mkdir "$work/build/broken/libs"
    cp -a "$EDGE_TARGET_DIR/edge-controller.jar" "$EDGE_TARGET_DIR/edge.jvmopts" "$work/build/broken/"
    scripts/package-edge.sh v1 "$work/build/good" "$work/dist"
    scripts/package-edge.sh v2 "$work/build/good" "$work/dist"
    scripts/package-edge.sh v3-broken "$work/build/broken" "$work/dist"
}

t_install() {
    t_builds || return 1
    play rollout.yml -e edge_version=v1 || return 1
    expect_level L0 v1 && expect_level L1 v1 || return 1
    grep -q "port: $port_l1" "$work/L1/etc/edge.yaml" || fail "L1 config lacks its port"
    grep -q "id: L1-out" "$work/L1/etc/edge.yaml" || fail "L1 config lacks its lane"
    # As installed, no broker user speaks for every lot: commands only from cloud-sync's user.
    grep -q "trusted-users: ''" "$work/L1/etc/edge.yaml" || fail "L1 config trusts a broker user for every lot"
    grep -q "cloud-sync-user: cloud-sync" "$work/L1/etc/edge.yaml" || fail "L1 config lacks cloud-sync's user"
    grep -q "amqp-nodes: ''" "$work/L1/etc/edge.yaml" || fail "L1 config lacks an empty cloud.amqp-nodes"
    # L1 is a counting level with a ramp counter: the rendered layout must reach the running edge.
    curl -fsS "http://127.0.0.1:$port_l1/api/v1/ramps" | grep -q '"rampId":"L1-up"' || fail "L1 does not count ramp L1-up"
    curl -fsS "http://127.0.0.1:$port_l1/api/v1/availability" | grep -q '"capacity":3,' || fail "L1 capacity is not the inventory's 3"
    # As rolled out the edge is no development rig: no simulator API, no plates without a credential.
    grep -q "development: false" "$work/L0/etc/edge.yaml" && grep -q "operator-id: test-operator" "$work/L0/etc/edge.yaml" \
        || fail "L0 config lacks edge.development false or its operator"
    grep -q "PRODUCTION mode" "$work/L0/log/edge.log" || fail "L0 did not log that it runs in production mode"
    [ "$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' -d '{"present":true}' \
        "http://127.0.0.1:$port_l0/api/v1/simulator/lanes/L0-in/arming")" = 404 ] || fail "L0 serves the simulator API"
    [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port_l0/api/v1/sessions")" = 401 ] \
        || fail "L0 shows sessions without a credential"
    [ "$(stat -c %U "$work/L0/data")" = "$test_user" ] || fail "data dir not owned by the service user"
    ps -o user= -p "$(pid_of L0)" | grep -qx "$test_user" || fail "L0 does not run as $test_user"
    # A second run changes nothing and restarts nothing.
    local pid0; pid0=$(pid_of L0)
    play rollout.yml -e edge_version=v1 | tee "$work/rerun.txt"
    [ "$(pid_of L0)" = "$pid0" ] || fail "a no-op rerun restarted L0"
    grep -Eq 'test-l0 +: .*changed=0 ' "$work/rerun.txt" || fail "a no-op rerun reported changes"
}

t_unit() {
    local unit="$work/L0/systemd/parking-edge.service"
    grep -q '^NoNewPrivileges=yes' "$unit" && grep -q '^ProtectSystem=strict' "$unit" \
        && grep -q "^ReadWritePaths=$work/L0/data " "$unit" && grep -q '^PrivateTmp=yes' "$unit" \
        && grep -q "^User=$test_user" "$unit" && grep -q '^Restart=on-failure' "$unit" \
        || fail "unit lacks hardening: $(cat "$unit")"
    # pi4j mode adds the gpio group and device access.
    ansible localhost -i localhost, -c local -m ansible.builtin.template \
        -a "src=roles/edge/templates/parking-edge.service.j2 dest=$work/pi4j.service" \
        -e '{"edge_lot_id":"x","edge_level_id":"y","edge_user":"parking-edge","edge_group":"parking-edge","edge_gpio_group":"gpio","edge_hardware_mode":"pi4j","edge_data_dir":"/var/lib/parking-edge","edge_log_dir":"/var/log/parking-edge","edge_root":"/opt/parking-edge","edge_config_dir":"/etc/parking-edge","edge_java":"/usr/bin/java","edge_java_opts":"-Xmx192m"}' \
        >/dev/null || return 1
    grep -q '^SupplementaryGroups=gpio' "$work/pi4j.service" || fail "pi4j unit lacks SupplementaryGroups=gpio"
    # systemd is installed but not PID 1 here; 'verify' still parses and checks the unit offline.
    SYSTEMD_LOG_LEVEL=notice systemd-analyze verify "$unit" "$work/pi4j.service" 2>&1 | tee "$work/verify.txt"
    if grep -Ev 'Failed to (connect|open)|Unknown (username|group)|not running|offline' "$work/verify.txt" | grep -qiE 'error|invalid|unknown|failed|ignoring'; then
        fail "systemd-analyze verify reported problems"
    fi
}

t_upgrade() {
    local pid0 pid1; pid0=$(pid_of L0); pid1=$(pid_of L1)
    play rollout.yml -e edge_version=v2 || return 1
    expect_level L0 v2 v1 && expect_level L1 v2 v1 || return 1
    [ "$(pid_of L0)" != "$pid0" ] && [ "$(pid_of L1)" != "$pid1" ] || fail "upgrade did not restart both levels"
}

t_failed_upgrade() {
    local pid1; pid1=$(pid_of L1)
    if play rollout.yml -e edge_version=v3-broken | tee "$work/broken.txt"; then
        fail "the rollout of a broken build succeeded"; return 1
    fi
    grep -q 'release v3-broken failed its health check; rolled back to v2' "$work/broken.txt" \
        || fail "no rollback message in the output"
    # L0 was tried and rolled back; L1 was never touched.
    expect_level L0 v2 v1 && expect_level L1 v2 v1 || return 1
    [ -d "$work/L0/opt/releases/v3-broken" ] || fail "L0 never got v3-broken"
    [ ! -e "$work/L1/opt/releases/v3-broken" ] || fail "L1 got v3-broken although the rollout had stopped"
    [ "$(pid_of L1)" = "$pid1" ] || fail "L1 was restarted"
    grep -q 'NoClassDefFoundError\|ClassNotFoundException\|Could not find or load' "$work/L0/log/edge.log" \
        || fail "L0's log does not show why v3-broken failed"
}

t_rollback() {
    play rollback.yml --limit test-l1 || return 1
    expect_level L1 v1 v2 && expect_level L0 v2 v1 || return 1
    play rollback.yml --limit test-l1 -e edge_rollback_to=v2 || return 1
    expect_level L1 v2 v1
}

t_rabbitmq() {
    play broker.yml --limit test-rabbit || return 1
    # Read the whole list before matching: grep -q exiting early would make rabbitmqctl fail under pipefail.
    local users
    users=$(rabbitmqctl -q -n rabbit@localhost list_users) || fail "rabbitmqctl list_users failed"
    grep -q '^guest' <<<"$users" || fail "the machine's guest user is gone"
    "$PY" "$here/amqp_permissions.py" 127.0.0.1 5672 "$vhost" "$run_id" \
        "edge-$run_id-L0" test-L0-pass-7c1e "edge-$run_id-L1" test-L1-pass-93ab \
        "cloud-sync-$run_id" test-cloud-sync-pass-2b7d "payment-worker-$run_id" test-worker-pass-6e90 || return 1
    # A second run changes no user, and a service without a vault password stops the role.
    play broker.yml --limit test-rabbit | tee "$work/rabbit-rerun.txt"
    grep -Eq 'test-rabbit +: .*changed=0 ' "$work/rabbit-rerun.txt" || fail "a rerun of the rabbitmq role reported changes"
    if play broker.yml --limit test-rabbit -e rabbitmq_worker_password= >"$work/rabbit-nopass.txt" 2>&1; then
        fail "the rabbitmq role ran with an empty worker password"
    fi
    grep -q 'there are no default passwords' "$work/rabbit-nopass.txt" || fail "no clear message for a missing password"
    # Only because it says it is the test inventory may this one use the published vault password.
    if play broker.yml --limit test-rabbit -e openparking_test_inventory=false >"$work/rabbit-published.txt" 2>&1; then
        fail "the rabbitmq role ran on a vault with the published password outside the test inventory"
    fi
    grep -q 'opens with the example vault password published' "$work/rabbit-published.txt" \
        || fail "no clear message for the published vault password"
}

t_mosquitto() {
    play broker.yml --limit test-mqtt || return 1
    grep -q '^allow_anonymous false' "$work/mqtt/conf.d/parking.conf" || fail "anonymous clients allowed"
    ! grep -q 'test-L0-pass' "$work/mqtt/parking.passwd" || fail "plain-text password in the password file"
    [ ! -e "$work/mqtt/parking.passwd.new" ] || fail "plain-text temporary file left behind"
    mosquitto -c "$work/mqtt/conf.d/parking.conf" &
    mosquitto_pid=$!
    local lot=$run_id e0="edge-$run_id-L0" p0=test-L0-pass-7c1e e1="edge-$run_id-L1" p1=test-L1-pass-93ab
    local sign="sign-$run_id" ps=test-sign-pass-0f3a i
    # Ready when an authenticated publish over 127.0.0.1 (the address every check below uses) goes through;
    # probing "localhost" could pass on another address family while 127.0.0.1 was not listening yet.
    local ready=""
    for i in $(seq 1 100); do
        if mosquitto_pub -h 127.0.0.1 -p "$mqtt_port" -u "$e0" -P "$p0" -t "parking/$lot/levels/L0/probe" -m up -q 1 \
            2>/dev/null; then
            ready=1
            break
        fi
        sleep 0.2
    done
    [ -n "$ready" ] || { fail "the private mosquitto on port $mqtt_port did not accept the edge's publish within 20 s"; return 1; }
    pub() { mosquitto_pub -h 127.0.0.1 -p "$mqtt_port" -u "$1" -P "$2" -t "$3" -m "$4" -r -q 1; }
    # Reads the retained message of a topic, empty after 2 s when there is none (or no right).
    get() { mosquitto_sub -h 127.0.0.1 -p "$mqtt_port" -u "$1" -P "$2" -t "$3" -C 1 -W 2 2>/dev/null; }
    pub "$e0" "$p0" "parking/$lot/levels/L0/availability" own-L0 || fail "L0 cannot publish its availability"
    pub "$e0" "$p0" "parking/$lot/lanes/L0-in/state" own-lane || fail "L0 cannot publish its lane"
    pub "$e0" "$p0" "parking/$lot/levels/L1/availability" spoofed
    pub "$e0" "$p0" "parking/$lot/lanes/L1-out/state" spoofed
    pub "$sign" "$ps" "parking/$lot/levels/L0/status" sign-wrote
    [ "$(get "$sign" "$ps" "parking/$lot/levels/L0/availability")" = own-L0 ] || fail "the sign cannot read L0's availability"
    [ "$(get "$sign" "$ps" "parking/$lot/lanes/L0-in/state")" = own-lane ] || fail "the sign cannot read L0's lane"
    [ -z "$(get "$sign" "$ps" "parking/$lot/levels/L1/availability")" ] || fail "L0 wrote L1's availability"
    [ -z "$(get "$sign" "$ps" "parking/$lot/lanes/L1-out/state")" ] || fail "L0 wrote L1's lane"
    [ -z "$(get "$sign" "$ps" "parking/$lot/levels/L0/status")" ] || fail "a sign could write"
    pub "$e1" "$p1" "parking/$lot/levels/L1/status" online || fail "L1 cannot publish its status"
    [ "$(get "$sign" "$ps" "parking/$lot/levels/L1/status")" = online ] || fail "L1's status not readable"
    [ -z "$(get "$e0" "$p0" "parking/$lot/levels/L1/status")" ] || fail "L0 can read L1's topics"
    mosquitto_pub -h 127.0.0.1 -p "$mqtt_port" -t "parking/$lot/levels/L0/status" -m anon 2>/dev/null && fail "anonymous publish accepted"
    mosquitto_pub -h 127.0.0.1 -p "$mqtt_port" -u "$e0" -P wrong -t "parking/$lot/levels/L0/status" -m x 2>/dev/null && fail "wrong password accepted"
    echo "mosquitto ACL: all expectations held"
}

# The mosquitto role with TLS on and plaintext off, against a private mosquitto with a CA generated here; then the
# edge role's rendered configuration (ssl:// and mqtt.tls-ca-file) on the real edge jar publishes through it.
t_mosquitto_tls() {
    local d="$work/mqtt-tls" pki="$work/pki" plain tls edge_port i
    plain=$(free_port); tls=$(free_port); edge_port=$(free_port)
    mkdir -p "$pki"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=parking test CA $run_id" \
        -keyout "$pki/ca.key" -out "$pki/ca.crt" 2>/dev/null || { fail "openssl cannot make a CA"; return 1; }
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=127.0.0.1" \
        -keyout "$pki/broker.key" -out "$pki/broker.csr" 2>/dev/null
    printf 'subjectAltName=IP:127.0.0.1\n' >"$pki/san.ext"
    openssl x509 -req -in "$pki/broker.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" -CAcreateserial -days 2 \
        -extfile "$pki/san.ext" -out "$pki/broker.crt" 2>/dev/null || { fail "openssl cannot sign the broker"; return 1; }
    # Another CA, which the broker's certificate does not chain to.
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=someone else" \
        -keyout "$pki/other.key" -out "$pki/other.crt" 2>/dev/null
    "$PY" - "$pki" >"$pki/tls-vars.json" <<'PYEOF'
import json, sys
d = sys.argv[1]
read = lambda n: open(d + "/" + n).read()
print(json.dumps({"mosquitto_tls": True, "mosquitto_tls_cert": read("broker.crt"), "mosquitto_tls_key": read("broker.key"),
                  "mosquitto_tls_ca": read("ca.crt"), "edge_mqtt_tls": True, "edge_mqtt_tls_ca": read("ca.crt")}))
PYEOF
    play broker.yml --limit test-mqtt -e "@$pki/tls-vars.json" -e "mosquitto_conf_dir=$d" \
        -e "mosquitto_listener_port=$plain" -e "mosquitto_tls_port=$tls" -e mosquitto_tls_address=127.0.0.1 \
        -e mosquitto_plaintext_listener=off || return 1
    grep -q "^listener $tls 127.0.0.1" "$d/conf.d/parking.conf" && grep -q '^certfile ' "$d/conf.d/parking.conf" \
        || fail "no TLS listener rendered"
    ! grep -q "^listener $plain" "$d/conf.d/parking.conf" || fail "a plaintext listener with mosquitto_plaintext_listener=off"
    [ "$(stat -c %a "$d/tls/broker.key")" = 640 ] || fail "the broker's key is not mode 0640"
    mosquitto -c "$d/conf.d/parking.conf" >"$d/mosquitto.log" 2>&1 &
    local tls_pid=$!
    mosquitto_pid="$mosquitto_pid $tls_pid"
    local lot=$run_id e0="edge-$run_id-L0" p0=test-L0-pass-7c1e sign="sign-$run_id" ps=test-sign-pass-0f3a ready=""
    for i in $(seq 1 100); do
        if mosquitto_pub -h 127.0.0.1 -p "$tls" --cafile "$pki/ca.crt" -u "$e0" -P "$p0" -t "parking/$lot/levels/L0/probe" \
            -m up -q 1 2>/dev/null; then ready=1; break; fi
        sleep 0.2
    done
    [ -n "$ready" ] || { fail "no TLS publish through the private mosquitto on $tls within 20 s"; cat "$d/mosquitto.log"; return 1; }
    mosquitto_pub -h 127.0.0.1 -p "$tls" -u "$e0" -P "$p0" -t "parking/$lot/levels/L0/probe" -m plain 2>/dev/null \
        && fail "a plaintext client was accepted on the TLS port"
    mosquitto_pub -h 127.0.0.1 -p "$plain" -u "$e0" -P "$p0" -t "parking/$lot/levels/L0/probe" -m plain 2>/dev/null \
        && fail "a plaintext listener answers with mosquitto_plaintext_listener=off"
    mosquitto_pub -h 127.0.0.1 -p "$tls" --cafile "$pki/other.crt" -u "$e0" -P "$p0" -t "parking/$lot/levels/L0/probe" \
        -m x 2>/dev/null && fail "a client trusting another CA connected (the broker's certificate was not checked)"
    mosquitto_pub -h 127.0.0.1 -p "$tls" --cafile "$pki/ca.crt" -t "parking/$lot/levels/L0/probe" -m anon 2>/dev/null \
        && fail "an anonymous TLS client was accepted"

    # The edge role's rendering, then the real edge jar on it: its retained availability arrives over TLS.
    local root="$work/tls-edge"
    play tests/render-edge-config.yml -e "@$pki/tls-vars.json" -e "test_root=$root" -e "test_port_l0=$edge_port" \
        -e "edge_mqtt_uri=tcp://127.0.0.1:$plain" -e "edge_mqtt_tls_port=$tls" -e edge_group=root || return 1
    local cfg="$root/L0/etc/edge.yaml"
    grep -q "uri: ssl://127.0.0.1:$tls" "$cfg" || fail "the edge's mqtt.uri is not ssl://127.0.0.1:$tls"
    grep -q "tls-ca-file: $root/L0/etc/mqtt-ca.crt" "$cfg" || fail "the edge's mqtt.tls-ca-file is not rendered"
    cmp -s "$root/L0/etc/mqtt-ca.crt" "$pki/ca.crt" || fail "the CA installed for the edge is not the broker's"
    local java="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java"
    [ -f "$EDGE_TARGET_DIR/edge-controller.jar" ] || { fail "no $EDGE_TARGET_DIR/edge-controller.jar"; return 1; }
    PARKING_CONFIG="$cfg" "$java" -Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -jar "$EDGE_TARGET_DIR/edge-controller.jar" \
        >"$root/edge.log" 2>&1 &
    cloud_pids+=($!)
    local seen=""
    for i in $(seq 1 60); do
        seen=$(mosquitto_sub -h 127.0.0.1 -p "$tls" --cafile "$pki/ca.crt" -u "$sign" -P "$ps" \
            -t "parking/$lot/levels/L0/availability" -C 1 -W 2 2>/dev/null)
        [ -n "$seen" ] && break
        sleep 1
    done
    grep -q '"lotId"' <<<"$seen" || { fail "the edge's availability never arrived over TLS"; tail -n 20 "$root/edge.log"; }
    grep -q "MQTT connected to ssl://127.0.0.1:$tls" "$root/edge.log" || fail "the edge did not log its TLS connection"
    echo "mosquitto TLS: all expectations held"
}

# The cloud role's environment files, then the real cloud-sync and payment-worker jars started on them against
# t_rabbitmq's vhost: each runs as its own broker user of the rabbitmq role and trusts nobody.
t_cloud() {
    local d="$work/cloud" sync_db="pk_cloud_$run_id" worker_db="pk_worker_$run_id" f line
    local sync_port worker_port; sync_port=$(free_port); worker_port=$(free_port)
    local cloud_vars=(-e "test_cloud_db_sync=$sync_db" -e "test_cloud_db_worker=$worker_db"
                      -e "test_cloud_sync_port=$sync_port" -e "test_cloud_worker_port=$worker_port")
    # The role creates both databases and their owner and application roles (scripts/postgresql-roles.sql).
    cloud_dbs+=("$sync_db" "$worker_db")
    cloud_roles+=("${sync_db}_app" "${sync_db}_owner" "${worker_db}_app" "${worker_db}_owner")
    play cloud.yml --limit test-cloud "${cloud_vars[@]}" || return 1
    local q="psql -h 127.0.0.1 -U postgres -XAtq"
    [ "$($q -d "$sync_db" -c "SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = 'public'")" = "${sync_db}_owner" ] \
        || fail "cloud-sync's schema is not owned by its owner role"
    [ "$($q -d postgres -c "SELECT rolsuper OR rolcreatedb OR rolcreaterole FROM pg_roles WHERE rolname = '${sync_db}_app'")" = f ] \
        || fail "cloud-sync's application role has more than LOGIN"
    [[ "$($q -d postgres -c "SELECT rolpassword FROM pg_authid WHERE rolname = '${worker_db}_app'")" == SCRAM-SHA-256\$* ]] \
        || fail "the worker's application role has no SCRAM password"
    grep -q "^DB_URL=jdbc:postgresql://127.0.0.1:5432/$sync_db?user=${sync_db}_app&password=test-sync-app-pass-13f7\$" "$d/cloud-sync.env" \
        || fail "cloud-sync's DB_URL is not its application role"
    grep -q "^DB_MIGRATION_URL=jdbc:postgresql://127.0.0.1:5432/$sync_db?user=${sync_db}_owner&" "$d/cloud-sync.env" \
        || fail "cloud-sync's migrations do not run as its owner role"
    grep -q "^DB_URL=jdbc:postgresql://127.0.0.1:5432/$worker_db?user=${worker_db}_app&" "$d/payment-worker.env" \
        || fail "the worker's DB_URL is not its application role"
    for f in cloud-sync payment-worker; do
        [ "$(stat -c %a "$d/$f.env")" = 640 ] || fail "$f.env is not mode 0640"
        grep -qx 'AMQP_TRUSTED_USERS=' "$d/$f.env" || fail "$f.env trusts a broker user"
        ! grep -qi guest "$d/$f.env" || fail "$f.env mentions guest"
    done
    grep -q "^AMQP_URI=amqp://cloud-sync-$run_id:test-cloud-sync-pass-2b7d@" "$d/cloud-sync.env" || fail "cloud-sync not on its own user"
    grep -q "^AMQP_URI=amqp://payment-worker-$run_id:test-worker-pass-6e90@" "$d/payment-worker.env" || fail "the worker not on its own user"
    grep -qx "AMQP_WORKER_USER=payment-worker-$run_id" "$d/cloud-sync.env" || fail "cloud-sync does not name the worker's user"
    grep -qx "AMQP_NODES=" "$d/cloud-sync.env" && grep -qx "AMQP_NODES=" "$d/payment-worker.env" \
        || fail "an env file lacks an empty AMQP_NODES (one broker node)"
    grep -qx "AMQP_CLOUD_SYNC_USER=cloud-sync-$run_id" "$d/payment-worker.env" || fail "the worker does not name cloud-sync's user"
    play cloud.yml --limit test-cloud "${cloud_vars[@]}" | tee "$work/cloud-rerun.txt"
    grep -Eq 'test-cloud +: .*changed=0 ' "$work/cloud-rerun.txt" || fail "a rerun of the cloud role reported changes"
    if play cloud.yml --limit test-cloud "${cloud_vars[@]}" -e cloud_worker_amqp_password= >"$work/cloud-nopass.txt" 2>&1; then
        fail "the cloud role ran with an empty worker password"
    fi
    grep -q 'there are no defaults' "$work/cloud-nopass.txt" || fail "no clear message for a missing secret"

    grep -qx "$vhost" <<<"$(rabbitmqctl -q -n rabbit@localhost list_vhosts name)" \
        || { fail "no vhost $vhost: t_cloud needs t_rabbitmq before it"; return 1; }
    for f in cloud-sync payment-worker; do
        [ -f "$repo/$f/target/$f.jar" ] || { fail "no $repo/$f/target/$f.jar: build it first (mvn -pl $f -am package -DskipTests)"; return 1; }
    done
    local java="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java"
    for f in cloud-sync payment-worker; do
        local envs=()
        while IFS= read -r line; do [[ -z $line || $line == \#* ]] || envs+=("$line"); done <"$d/$f.env"
        env -i PATH="$PATH" "${envs[@]}" "$java" -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -jar "$repo/$f/target/$f.jar" \
            >"$d/$f.log" 2>&1 &
        cloud_pids+=($!)
    done
    local i ok=""
    for i in $(seq 1 120); do
        if curl -fsS "http://127.0.0.1:$sync_port/observe/health" >/dev/null 2>&1 \
            && curl -fsS "http://127.0.0.1:$worker_port/observe/health" >/dev/null 2>&1 \
            && grep -q 'payment worker consuming' "$d/payment-worker.log"; then ok=1; break; fi
        sleep 1
    done
    [ -n "$ok" ] || { fail "cloud-sync and the worker did not both start on the rendered environment"; tail -n 20 "$d"/*.log; return 1; }
    grep -q 'topology is managed by the broker' "$d/payment-worker.log" || fail "the worker could configure the broker"
    grep -q "consuming cloud-sync.events" "$d/cloud-sync.log" || fail "cloud-sync does not consume its queue"
    # The worker's own note that the broker refused its declarations names the refusal: that one is expected.
    local refused; refused=$(grep -hi 'ACCESS_REFUSED\|cannot start yet' "$d/cloud-sync.log" "$d/payment-worker.log" \
        | grep -v 'topology is managed by the broker')
    [ -z "$refused" ] || fail "a service was refused at start: $refused"
    # The migrations ran as the owner role; the services run as the application role, which cannot get past the
    # audit triggers.
    [ "$($q -d "$sync_db" -c "SELECT tableowner FROM pg_tables WHERE tablename = 'audit_log'")" = "${sync_db}_owner" ] \
        || fail "cloud-sync's tables are not owned by its owner role (migrations ran as someone else)"
    [ "$($q -d postgres -c "SELECT count(*) FROM pg_stat_activity WHERE datname = '$sync_db' AND usename = '${sync_db}_app'")" -gt 0 ] \
        || fail "cloud-sync is not connected as its application role"
    local out; out=$(psql -h 127.0.0.1 -U "${sync_db}_app" -d "$sync_db" -XAtq -c 'ALTER TABLE audit_log DISABLE TRIGGER ALL' 2>&1) \
        && fail "the application role disabled the audit triggers"
    grep -q 'must be owner' <<<"$out" || fail "disabling the audit triggers failed for another reason: $out"
}

t_docker() {
    "$here/check-dockerfiles.sh" || return 1
    # The checker must catch each kind of mistake: break a copy of the files and expect it to.
    local bad="$work/broken-checkout" m out
    mkdir -p "$bad"
    cp "$repo/Dockerfile.edge" "$repo/Dockerfile.cloud" "$repo/docker-compose.yml" "$repo/.dockerignore" "$repo/pom.xml" "$bad/"
    for m in $(grep -o '<module>[^<]*</module>' "$repo/pom.xml" | sed 's/<[^>]*>//g'); do
        mkdir -p "$bad/$m"
        [ -f "$repo/$m/pom.xml" ] && cp "$repo/$m/pom.xml" "$bad/$m/"
        [ -d "$repo/$m/src" ] && ln -s "$repo/$m/src" "$bad/$m/src"
    done
    sed -i 's/debian:13.2-slim/debian:latest/; s/^USER parking:parking/USER root/; s#^COPY \. \./#COPY . ./\nCOPY no-such-file ./#' "$bad/Dockerfile.edge"
    sed -i 's/^HEALTHCHECK/# HEALTHCHECK/; s/^    CMD \["java"/#/' "$bad/Dockerfile.cloud"
    sed -i 's/^      postgres:$/      postgress:/' "$bad/docker-compose.yml"
    echo 'edge-controller/src' >>"$bad/.dockerignore"
    if out=$("$here/check-dockerfiles.sh" "$bad" 2>&1); then fail "the checker passed a broken checkout"; fi
    for m in 'no-such-file does not exist' '.dockerignore excludes edge-controller/src' 'debian:latest is not pinned' \
             'runs as root' 'Dockerfile.cloud: the final stage has no HEALTHCHECK' 'unknown service postgress'; do
        grep -qF "$m" <<<"$out" || fail "the checker missed: $m"
    done
}

check "ansible-lint" t_lint
check "syntax-check and example vault" t_syntax
check "install two levels (v1), health-checked, idempotent" t_install
check "systemd unit rendered, hardened, verified" t_unit
check "rolling upgrade to v2" t_upgrade
check "broken v3 rolled back on L0, rollout stopped before L1" t_failed_upgrade
check "rollback playbook" t_rollback
check "rabbitmq role and edge permissions" t_rabbitmq
check "cloud role: both services start on their own broker users" t_cloud
check "mosquitto role and ACL" t_mosquitto
check "mosquitto TLS, plaintext refused, the edge's rendered TLS config on the real jar" t_mosquitto_tls
check "Dockerfiles and compose, static" t_docker

echo "ansible: $passed passed, $failed failed"
[ "$failed" -eq 0 ]

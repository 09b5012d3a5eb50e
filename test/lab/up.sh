#!/usr/bin/env bash
# Brings up dagger-explore's test lab: a Docker Engine that can run --privileged
# containers, a base image, and TLS registries on loopback. Idempotent: when the
# lab is already up it only checks and exits (well under a second).
# See test/lab/README.md for what it starts and why.
set -euo pipefail

# dockerd, runc and docker-registry live in sbin folders a user's PATH may lack.
PATH=$PATH:/usr/local/sbin:/usr/sbin:/sbin
LAB_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$LAB_SRC/../.." && pwd)

IS_ROOT=0
[ "$(id -u)" = 0 ] && IS_ROOT=1
IS_CI=0
case "${CI:-}" in true | 1) IS_CI=1 ;; esac

# Machine-wide pieces (daemon runtime, docker's certs.d trust) outlive any one
# clone, so root keeps them in one place; a user keeps a private copy.
if [ -n "${DAGGER_EXPLORE_LAB_STATE:-}" ]; then
  STATE=$DAGGER_EXPLORE_LAB_STATE
elif [ "$IS_ROOT" = 1 ]; then
  STATE=/var/lib/dagger-explore-lab
else
  STATE=${XDG_STATE_HOME:-$HOME/.local/state}/dagger-explore-lab
fi
FACTS_DIR=$REPO/.lab
REG_PORT=${DAGGER_EXPLORE_LAB_REGISTRY_PORT:-5443}
TOKEN_REG_PORT=${DAGGER_EXPLORE_LAB_TOKEN_REGISTRY_PORT:-5444}
TOKEN_ISSUER_PORT=${DAGGER_EXPLORE_LAB_TOKEN_ISSUER_PORT:-5445}
BASE_IMAGE=dagger-explore-lab/busybox:latest
PUSHED_REPO=lab/busybox
PUSHED_TAG=latest
TOKEN_SERVICE=dagger-explore-lab
TOKEN_ISSUER=dagger-explore-lab-issuer
# Test-only credentials for a registry that listens on loopback alone.
TOKEN_USER=lab-user
TOKEN_PASSWORD=lab-password
PUBLIC_REPO=public/busybox
PACKAGES=(docker.io containerd runc docker-registry busybox-static tmux openssl shellcheck golang-go delve tini openssh-server openssh-client curl binutils)
DOCKERD_FLAGS=(--bridge=none --iptables=false --ip-forward=false)

STARTED_NS=$(date +%s%N)
elapsed_ms() { echo $((($(date +%s%N) - STARTED_NS) / 1000000)); }
say() { printf 'lab: [%5d ms] %s\n' "$(elapsed_ms)" "$*" >&2; }
die() {
  printf 'lab: FAILED: %s\n' "$*" >&2
  exit 1
}
# Outside CI a missing piece only limits which tests can run; under CI it is fatal.
soft_fail() {
  if [ "$IS_CI" = 1 ]; then die "$*"; fi
  say "warning: $*"
}

# Long-lived children must not inherit our descriptors: an inherited lock fd would
# hold the lock forever, and an inherited pipe keeps the caller (npm, vitest) waiting.
daemonize() {
  local log=$1
  shift
  (
    cd /
    for fd in "/proc/$BASHPID/fd/"*; do
      fd=${fd##*/}
      if [ "$fd" -gt 2 ]; then eval "exec $fd>&-" 2>/dev/null || true; fi
    done
    exec setsid "$@" >>"$log" 2>&1 </dev/null
  ) &
  DAEMON_PID=$!
}

mkdir -p "$STATE" "$FACTS_DIR"
exec 9>"$STATE/up.lock"
flock -w 900 9 || die "another up.sh has held $STATE/up.lock for 15 minutes"

# One `docker info` both proves the engine answers and says which runtime it uses.
DOCKER_SERVER=
DOCKER_RUNTIME=
DOCKER_DRIVER=
docker_answers() {
  command -v docker >/dev/null 2>&1 || return 1
  local out
  out=$(timeout 5 docker info --format '{{.ServerVersion}}|{{.DefaultRuntime}}|{{.Driver}}' 2>/dev/null) || return 1
  DOCKER_SERVER=${out%%|*}
  out=${out#*|}
  DOCKER_RUNTIME=${out%%|*}
  DOCKER_DRIVER=${out#*|}
  [ -n "$DOCKER_SERVER" ]
}

is_debian() { [ -r /etc/debian_version ] && command -v apt-get >/dev/null 2>&1; }

# Prints, one a line, each of the given packages that dpkg does not list as
# installed. dpkg-query exits 1 when any name is unknown to it: that is the
# answer, not an error, so its status is never allowed to end the script.
missing_packages() {
  local installed p
  installed=$(dpkg-query -W -f='${Package} ${Status}\n' "$@" 2>/dev/null || true)
  installed=$(awk '/ install ok installed$/ {sub(/:.*/, "", $1); print $1}' <<<"$installed")
  for p in "$@"; do
    grep -qxF -- "$p" <<<"$installed" || printf '%s\n' "$p"
  done
}

APT_UPDATED=0
install_packages() {
  local missing=()
  mapfile -t missing < <(missing_packages "$@")
  [ "${#missing[@]}" = 0 ] && return 0
  say "installing Debian packages: ${missing[*]}"
  # Package scripts must not start a default dockerd, registry on :5000 or sshd:
  # the lab starts its own with flags that work inside sandboxes.
  local policy=${DAGGER_EXPLORE_LAB_POLICY_RC:-/usr/sbin/policy-rc.d} added_policy=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod 0755 "$policy"
    added_policy=1
  fi
  local rc=0
  {
    if [ "$APT_UPDATED" = 0 ]; then
      DEBIAN_FRONTEND=noninteractive apt-get update -q && APT_UPDATED=1
    fi &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
  } >>"$STATE/apt.log" 2>&1 || rc=$?
  if [ "$added_policy" = 1 ]; then rm -f "$policy"; fi
  if [ "$rc" != 0 ]; then
    tail -n 20 "$STATE/apt.log" >&2
    die "apt-get could not install ${missing[*]} (full log: $STATE/apt.log)"
  fi
  mapfile -t missing < <(missing_packages "$@")
  [ "${#missing[@]}" = 0 ] || die "apt-get finished but dpkg still lists ${missing[*]} as not installed (log: $STATE/apt.log)"
}

# Every command the lab and the tests run that does not come from the repo,
# with the Debian package that provides it. A missing one fails here, by name,
# instead of as some later test.
REQUIRED_COMMANDS=(
  docker:docker.io dockerd:docker.io containerd:containerd runc:runc docker-registry:docker-registry
  busybox:busybox-static tmux:tmux openssl:openssl shellcheck:shellcheck
  go:golang-go dlv:delve tini-static:tini sshd:openssh-server ssh:openssh-client ssh-keygen:openssh-client curl:curl readelf:binutils
)

# Tests add a command no machine has (cmd:package) to see the failure line.
if [ -n "${DAGGER_EXPLORE_LAB_EXTRA_REQUIRED:-}" ]; then
  read -r -a _extra <<<"$DAGGER_EXPLORE_LAB_EXTRA_REQUIRED"
  REQUIRED_COMMANDS+=("${_extra[@]}")
fi

require_commands() {
  local entry cmd pkg missing=()
  for entry in "${REQUIRED_COMMANDS[@]}"; do
    cmd=${entry%%:*}
    pkg=${entry#*:}
    command -v "$cmd" >/dev/null 2>&1 || missing+=("$cmd (Debian package $pkg)")
  done
  [ "${#missing[@]}" = 0 ] && return 0
  local list
  list=$(printf '%s, ' "${missing[@]}")
  list=${list%, }
  if [ "$IS_ROOT" = 1 ] && is_debian; then
    die "still missing after installing packages: $list"
  fi
  die "missing: $list. As root on Debian, 'bash test/lab/up.sh' installs them; elsewhere install them by hand"
}

ensure_packages() {
  if [ "$IS_ROOT" = 1 ] && is_debian; then install_packages "${PACKAGES[@]}"; fi
  require_commands
}

# Capabilities the OCI spec may ask for but this host's bounding set lacks.
host_lacks_caps() {
  local hex
  hex=$(awk '/^CapBnd:/ {print $2}' /proc/self/status)
  [ -n "$hex" ] || return 1
  local last
  last=$(cat /proc/sys/kernel/cap_last_cap 2>/dev/null || echo 40)
  # Compare with the full mask for this kernel; bash arithmetic is 64-bit.
  [ $((16#$hex)) != $(((1 << (last + 1)) - 1)) ]
}

install_wrapper() {
  if ! cmp -s "$LAB_SRC/lab-runc" "$STATE/lab-runc" 2>/dev/null; then
    # Replace by rename: the daemon may be executing the old copy right now.
    cp "$LAB_SRC/lab-runc" "$STATE/lab-runc.new"
    chmod 0755 "$STATE/lab-runc.new"
    mv -f "$STATE/lab-runc.new" "$STATE/lab-runc"
  fi
}

daemon_pid() {
  local pid
  pid=$(cat /var/run/docker.pid 2>/dev/null) || return 1
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 1
  printf '%s' "$pid"
}

# The lab only restarts a daemon that looks like one it would start itself: a
# local dockerd run with the lab's network flags, reached via the default socket.
daemon_is_lab_managed() {
  [ "$IS_ROOT" = 1 ] || return 1
  case "${DOCKER_HOST:-unix:///var/run/docker.sock}" in unix:///var/run/docker.sock) ;; *) return 1 ;; esac
  [ -z "${DOCKER_CONTEXT:-}" ] || return 1
  local pid cmd
  pid=$(daemon_pid) || return 1
  cmd=$(tr '\0' ' ' <"/proc/$pid/cmdline")
  case "$cmd" in *dockerd*--bridge=none*--iptables=false*) return 0 ;; esac
  return 1
}

start_dockerd() {
  install_wrapper
  say "starting dockerd (log: $STATE/dockerd.log)"
  daemonize "$STATE/dockerd.log" dockerd "${DOCKERD_FLAGS[@]}" \
    --add-runtime "lab-runc=$STATE/lab-runc" --default-runtime lab-runc
  for _ in $(seq 1 300); do
    docker_answers && return 0
    sleep 0.2
  done
  tail -n 20 "$STATE/dockerd.log" >&2
  die "dockerd did not answer within 60 s (log: $STATE/dockerd.log)"
}

stop_dockerd() {
  local pid
  pid=$(daemon_pid) || return 0
  say "stopping dockerd $pid to restart it with the lab runtime"
  kill -TERM "$pid"
  for _ in $(seq 1 150); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.2
  done
  die "dockerd $pid did not stop within 30 s"
}

ensure_docker() {
  if ! docker_answers; then
    if [ "$IS_ROOT" = 1 ] && command -v dockerd >/dev/null 2>&1; then
      start_dockerd
    elif [ "$IS_ROOT" = 1 ]; then
      die "no Docker Engine answers and dockerd is not installed (the lab installs it only on Debian)"
    else
      die "no Docker Engine answers. Start one, or run 'sudo bash test/lab/up.sh' on Debian to install and start the lab's"
    fi
  fi
  if [ "$DOCKER_RUNTIME" = lab-runc ]; then
    [ "$IS_ROOT" = 1 ] && install_wrapper
    return 0
  fi
  host_lacks_caps || return 0
  if daemon_is_lab_managed; then
    stop_dockerd
    start_dockerd
  else
    soft_fail "this host's capability bounding set lacks some capabilities and the Docker Engine that answers is not one the lab manages, so --privileged containers will fail. Stop that engine and rerun up.sh as root, or start it with --add-runtime lab-runc=$STATE/lab-runc --default-runtime lab-runc (see test/lab/README.md)"
  fi
}

ensure_base_image() {
  if timeout 10 docker image inspect "$BASE_IMAGE" >/dev/null 2>&1; then return 0; fi
  local bb=/bin/busybox
  [ -x "$bb" ] || die "$bb is missing: install Debian's busybox-static"
  say "building $BASE_IMAGE from $bb"
  local root
  root=$(mktemp -d "$STATE/rootfs.XXXXXX")
  mkdir -p "$root/bin" "$root/etc" "$root/tmp" "$root/proc" "$root/sys" "$root/dev" "$root/root"
  chmod 1777 "$root/tmp"
  mkdir -p "$root/sbin" "$root/usr/bin" "$root/usr/sbin"
  cp "$bb" "$root/bin/busybox"
  # busybox links its own applets at their usual paths in one process (a shell
  # loop over ~400 applets costs seconds in forks).
  chroot "$root" /bin/busybox --install -s
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$root/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
  tar -C "$root" -c . | timeout 60 docker import -c 'CMD ["sh"]' - "$BASE_IMAGE" >/dev/null
  rm -rf "$root"
  # A dynamically linked /bin/busybox would import fine and then fail to start.
  timeout 60 docker run --rm --network none "$BASE_IMAGE" true ||
    die "$BASE_IMAGE does not start: is /bin/busybox the static build (busybox-static)?"
}

ensure_tls() {
  local tls=$STATE/tls
  mkdir -p "$tls"
  # Certificates last 825 days; renew them well before, judged by file age (cheap).
  if [ -s "$tls/server.crt" ] && [ -s "$tls/ca.crt" ] && [ -s "$tls/token-signing.crt" ] &&
    [ -n "$(find "$tls/server.crt" "$tls/ca.crt" -mtime -800 | head -n 1)" ]; then
    :
  else
    say "making the lab CA and server certificate in $tls"
    local tmp
    tmp=$(mktemp -d "$tls/new.XXXXXX")
    # EC keys: generated in milliseconds where RSA takes most of a second each.
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -sha256 -days 825 \
      -keyout "$tmp/ca.key" -out "$tmp/ca.crt" -subj '/CN=dagger-explore test lab CA' \
      -addext 'basicConstraints=critical,CA:TRUE' -addext 'keyUsage=critical,keyCertSign,cRLSign' 2>/dev/null
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -sha256 -keyout "$tmp/server.key" -out "$tmp/server.csr" \
      -subj '/CN=127.0.0.1' 2>/dev/null
    printf '%s\n' 'basicConstraints=CA:FALSE' 'keyUsage=critical,digitalSignature,keyEncipherment' \
      'extendedKeyUsage=serverAuth' 'subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost' >"$tmp/server.ext"
    openssl x509 -req -in "$tmp/server.csr" -CA "$tmp/ca.crt" -CAkey "$tmp/ca.key" -CAcreateserial \
      -days 825 -sha256 -extfile "$tmp/server.ext" -out "$tmp/server.crt" 2>/dev/null
    # The token signing key: registries trust tokens whose signer is in this bundle.
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -sha256 -days 825 \
      -keyout "$tmp/token-signing.key" -out "$tmp/token-signing.crt" -subj '/CN=dagger-explore lab token issuer' 2>/dev/null
    chmod 0644 "$tmp"/*.crt
    chmod 0600 "$tmp"/*.key
    mv -f "$tmp"/ca.key "$tmp"/ca.crt "$tmp"/server.key "$tmp"/server.crt \
      "$tmp"/token-signing.key "$tmp"/token-signing.crt "$tls/"
    rm -rf "$tmp"
    # Running registries hold the old certificate: restart them below.
    rm -f "$STATE"/registry-*.yml
  fi
  # Docker reads certs.d per request, so no daemon restart is needed.
  if [ "$IS_ROOT" = 1 ]; then
    local port
    for port in "$REG_PORT" "$TOKEN_REG_PORT"; do
      mkdir -p "/etc/docker/certs.d/127.0.0.1:$port"
      cmp -s "$tls/ca.crt" "/etc/docker/certs.d/127.0.0.1:$port/ca.crt" ||
        cp "$tls/ca.crt" "/etc/docker/certs.d/127.0.0.1:$port/ca.crt"
    done
  fi
}

# GET a loopback https URL with the lab CA; prints the status code (000 when unreachable).
https_status() {
  local port=$1 path=$2 header=${3:-}
  local req="GET $path HTTP/1.0\r\nHost: 127.0.0.1:$port\r\n"
  [ -n "$header" ] && req="$req$header\r\n"
  local line
  # The request is built with \r\n escapes for printf to expand, and holds no %.
  # shellcheck disable=SC2059
  line=$(printf "$req\r\n" | timeout 5 openssl s_client -quiet -verify_return_error \
    -CAfile "$STATE/tls/ca.crt" -connect "127.0.0.1:$port" -servername localhost 2>/dev/null | head -n 1 || true)
  case "$line" in
    HTTP/*) printf '%s' "$line" | awk '{print $2}' ;;
    *) printf '000' ;;
  esac
}

registry_config() {
  local name=$1 port=$2
  cat <<EOF
# Written by test/lab/up.sh; edits are overwritten.
version: 0.1
log:
  level: warn
  fields:
    service: lab-registry-$name
storage:
  filesystem:
    rootdirectory: $STATE/registry-$name
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$port
  tls:
    certificate: $STATE/tls/server.crt
    key: $STATE/tls/server.key
  headers:
    X-Content-Type-Options: [nosniff]
EOF
  if [ "$name" = token ]; then
    cat <<EOF
auth:
  token:
    realm: http://127.0.0.1:$TOKEN_ISSUER_PORT/token
    service: $TOKEN_SERVICE
    issuer: $TOKEN_ISSUER
    rootcertbundle: $STATE/tls/token-signing.crt
EOF
  fi
}

registry_pid() {
  local name=$1 pid
  pid=$(cat "$STATE/registry-$name.pid" 2>/dev/null) || return 1
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "$STATE/registry-$name.yml" || return 1
  printf '%s' "$pid"
}

ensure_registry() {
  local name=$1 port=$2 want_status=$3
  local conf=$STATE/registry-$name.yml
  local want pid
  want=$(registry_config "$name" "$port")
  if [ -f "$conf" ] && [ "$(cat "$conf")" = "$want" ] && pid=$(registry_pid "$name") &&
    [ "$(https_status "$port" /v2/)" = "$want_status" ]; then
    return 0
  fi
  if pid=$(registry_pid "$name"); then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    die "127.0.0.1:$port is taken by something that is not the lab's $name registry (set DAGGER_EXPLORE_LAB_REGISTRY_PORT / DAGGER_EXPLORE_LAB_TOKEN_REGISTRY_PORT)"
  fi
  command -v docker-registry >/dev/null 2>&1 || {
    soft_fail "docker-registry is not installed, so the lab has no registry (Debian: apt-get install docker-registry)"
    return 1
  }
  printf '%s\n' "$want" >"$conf"
  mkdir -p "$STATE/registry-$name"
  say "starting the $name registry on 127.0.0.1:$port (log: $STATE/registry-$name.log)"
  daemonize "$STATE/registry-$name.log" docker-registry serve "$conf"
  echo "$DAEMON_PID" >"$STATE/registry-$name.pid"
  for _ in $(seq 1 100); do
    [ "$(https_status "$port" /v2/)" = "$want_status" ] && return 0
    sleep 0.1
  done
  tail -n 20 "$STATE/registry-$name.log" >&2
  die "the $name registry did not answer GET /v2/ with $want_status on 127.0.0.1:$port"
}

# Only root can make docker trust the lab CA (certs.d); without it pushes cannot work.
docker_trusts_lab() {
  local port=$1
  cmp -s "$STATE/tls/ca.crt" "/etc/docker/certs.d/127.0.0.1:$port/ca.crt" && return 0
  soft_fail "docker does not trust the lab CA for 127.0.0.1:$port, so nothing was pushed there (as root: mkdir -p /etc/docker/certs.d/127.0.0.1:$port && cp $STATE/tls/ca.crt /etc/docker/certs.d/127.0.0.1:$port/)"
  return 1
}

ensure_pushed_image() {
  local accept='Accept: application/vnd.docker.distribution.manifest.v2+json'
  [ "$(https_status "$REG_PORT" "/v2/$PUSHED_REPO/manifests/$PUSHED_TAG" "$accept")" = 200 ] && return 0
  docker_trusts_lab "$REG_PORT" || return 0
  local ref=127.0.0.1:$REG_PORT/$PUSHED_REPO:$PUSHED_TAG
  say "pushing $BASE_IMAGE to $ref"
  timeout 60 docker tag "$BASE_IMAGE" "$ref"
  timeout 120 docker push "$ref" >"$STATE/push.log" 2>&1 || {
    cat "$STATE/push.log" >&2
    die "docker could not push to the lab registry (does /etc/docker/certs.d/127.0.0.1:$REG_PORT/ca.crt exist?)"
  }
  timeout 30 docker rmi "$ref" >/dev/null 2>&1 || true
}

# Plain-HTTP GET on loopback with bash alone; true on a 200.
http_ok() {
  local port=$1 path=$2 line
  line=$( (exec 3<>"/dev/tcp/127.0.0.1/$port" && printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' "$path" >&3 && timeout 3 cat <&3) 2>/dev/null | head -n 1 || true)
  case "$line" in HTTP/*" 200"*) return 0 ;; esac
  return 1
}

issuer_pid() {
  local pid
  pid=$(cat "$STATE/token-issuer.pid" 2>/dev/null) || return 1
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "$STATE/token-issuer.mjs" || return 1
  printf '%s' "$pid"
}

# The token registry's realm: a tiny Node service (token-issuer.mjs), run like the registries.
ensure_token_issuer() {
  local node pid
  node=$(command -v node || true)
  if [ -z "$node" ]; then
    soft_fail "no node on PATH, so the token registry has no token issuer"
    return 1
  fi
  if cmp -s "$LAB_SRC/token-issuer.mjs" "$STATE/token-issuer.mjs" && pid=$(issuer_pid) && http_ok "$TOKEN_ISSUER_PORT" /healthz; then
    return 0
  fi
  if pid=$(issuer_pid); then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  if (exec 3<>"/dev/tcp/127.0.0.1/$TOKEN_ISSUER_PORT") 2>/dev/null; then
    die "127.0.0.1:$TOKEN_ISSUER_PORT is taken by something that is not the lab's token issuer (set DAGGER_EXPLORE_LAB_TOKEN_ISSUER_PORT)"
  fi
  cp "$LAB_SRC/token-issuer.mjs" "$STATE/token-issuer.mjs"
  say "starting the token issuer on 127.0.0.1:$TOKEN_ISSUER_PORT with $node (log: $STATE/token-issuer.log)"
  daemonize "$STATE/token-issuer.log" "$node" "$STATE/token-issuer.mjs" --port "$TOKEN_ISSUER_PORT" \
    --key "$STATE/tls/token-signing.key" --cert "$STATE/tls/token-signing.crt" \
    --issuer "$TOKEN_ISSUER" --service "$TOKEN_SERVICE" --user "$TOKEN_USER:$TOKEN_PASSWORD"
  echo "$DAEMON_PID" >"$STATE/token-issuer.pid"
  for _ in $(seq 1 100); do
    http_ok "$TOKEN_ISSUER_PORT" /healthz && return 0
    sleep 0.1
  done
  tail -n 20 "$STATE/token-issuer.log" >&2
  die "the token issuer did not answer on 127.0.0.1:$TOKEN_ISSUER_PORT"
}

# An sshd on loopback for the ssh:// endpoint tests, run like the docker CLI's users
# run theirs: key auth only, its own host key, config and pid file in the state
# dir. Port SSH_PORT is a remote whose login PATH finds docker; SSH_NODOCKER_PORT is
# the same machine with a PATH that has no docker, as on a host without Docker.
SSH_PORT=${DAGGER_EXPLORE_LAB_SSH_PORT:-2222}
SSH_NODOCKER_PORT=${DAGGER_EXPLORE_LAB_SSH_NODOCKER_PORT:-2223}
sshd_config() {
  local dir=$1
  cat <<EOF
ListenAddress 127.0.0.1:$SSH_PORT
ListenAddress 127.0.0.1:$SSH_NODOCKER_PORT
HostKey $dir/ssh_host_ed25519_key
PidFile $dir/sshd.pid
AuthorizedKeysFile $dir/authorized_keys
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
AllowTcpForwarding no
X11Forwarding no
PrintMotd no
LogLevel VERBOSE
AcceptEnv DOCKER_HOST
SetEnv PATH=/usr/local/bin:/usr/bin:/bin
Match LocalPort $SSH_NODOCKER_PORT
  SetEnv PATH=/nonexistent
EOF
}

sshd_pid() {
  local pid
  pid=$(cat "$STATE/sshd/sshd.pid" 2>/dev/null) || return 1
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "$STATE/sshd/sshd_config" || return 1
  printf '%s' "$pid"
}

ssh_banner() {
  ssh-keyscan -T 2 -t ed25519 -p "$1" 127.0.0.1 2>/dev/null | grep -q ssh-ed25519
}

ensure_sshd() {
  local dir=$STATE/sshd sshd want pid
  sshd=$(command -v sshd || true)
  if [ -z "$sshd" ] || [ "$IS_ROOT" != 1 ]; then
    soft_fail "the lab's sshd needs root and openssh-server, so the ssh:// endpoint tests cannot run"
    return 1
  fi
  mkdir -p "$dir" /run/sshd
  chmod 700 "$dir"
  [ -f "$dir/ssh_host_ed25519_key" ] || ssh-keygen -q -t ed25519 -N '' -C dagger-explore-lab-host -f "$dir/ssh_host_ed25519_key"
  [ -f "$dir/client_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C dagger-explore-lab-client -f "$dir/client_ed25519"
  cp "$dir/client_ed25519.pub" "$dir/authorized_keys"
  chmod 600 "$dir/authorized_keys"
  want=$(sshd_config "$dir")
  if [ -f "$dir/sshd_config" ] && [ "$(cat "$dir/sshd_config")" = "$want" ] && pid=$(sshd_pid) &&
    ssh_banner "$SSH_PORT" && ssh_banner "$SSH_NODOCKER_PORT"; then
    return 0
  fi
  if pid=$(sshd_pid); then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  local port
  for port in "$SSH_PORT" "$SSH_NODOCKER_PORT"; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      die "127.0.0.1:$port is taken by something that is not the lab's sshd (set DAGGER_EXPLORE_LAB_SSH_PORT / DAGGER_EXPLORE_LAB_SSH_NODOCKER_PORT)"
    fi
  done
  printf '%s\n' "$want" >"$dir/sshd_config"
  "$sshd" -t -f "$dir/sshd_config" || die "sshd refused $dir/sshd_config"
  say "starting sshd on 127.0.0.1:$SSH_PORT and :$SSH_NODOCKER_PORT (log: $dir/sshd.log)"
  # -D keeps it in the foreground so daemonize owns it; sshd writes its pid file itself.
  daemonize "$dir/sshd.log" "$sshd" -D -e -f "$dir/sshd_config"
  for _ in $(seq 1 100); do
    ssh_banner "$SSH_PORT" && ssh_banner "$SSH_NODOCKER_PORT" && sshd_pid >/dev/null && return 0
    sleep 0.1
  done
  tail -n 20 "$dir/sshd.log" >&2
  die "the lab's sshd did not answer on 127.0.0.1:$SSH_PORT"
}

# One image behind auth and one anonymous users may pull; logged in through a
# throwaway DOCKER_CONFIG so the user's own docker credentials are never touched.
ensure_token_pushed() {
  local stamp=$STATE/registry-token/.lab-pushed
  [ -f "$stamp" ] && return 0
  docker_trusts_lab "$TOKEN_REG_PORT" || return 0
  local cfg
  cfg=$(mktemp -d "$STATE/docker-config.XXXXXX")
  local host=127.0.0.1:$TOKEN_REG_PORT rc=0
  say "pushing $BASE_IMAGE to the token registry $host"
  {
    printf '%s' "$TOKEN_PASSWORD" | DOCKER_CONFIG=$cfg timeout 60 docker login -u "$TOKEN_USER" --password-stdin "$host" &&
      timeout 60 docker tag "$BASE_IMAGE" "$host/$PUSHED_REPO:$PUSHED_TAG" &&
      timeout 60 docker tag "$BASE_IMAGE" "$host/$PUBLIC_REPO:$PUSHED_TAG" &&
      DOCKER_CONFIG=$cfg timeout 120 docker push "$host/$PUSHED_REPO:$PUSHED_TAG" &&
      DOCKER_CONFIG=$cfg timeout 120 docker push "$host/$PUBLIC_REPO:$PUSHED_TAG"
  } >"$STATE/push-token.log" 2>&1 || rc=$?
  timeout 30 docker rmi "$host/$PUSHED_REPO:$PUSHED_TAG" "$host/$PUBLIC_REPO:$PUSHED_TAG" >/dev/null 2>&1 || true
  rm -rf "$cfg"
  if [ "$rc" != 0 ]; then
    cat "$STATE/push-token.log" >&2
    die "docker could not log in and push to the token registry $host"
  fi
  touch "$stamp"
}

# Docker 26.1 beside the system's engine: Debian trixie's docker.io and containerd,
# fetched with apt-get download through a private apt state (nothing is installed
# system-wide) and unpacked with dpkg-deb -x under $STATE/docker26/root. Two daemons
# run from it, each with its own socket, pid file, data-root, exec-root and config
# file, with the lab runtime and the lab's network flags: one on the classic
# overlay2 graph driver, one on the containerd image store. Each dockerd manages its
# own containerd (trixie's 1.7, from the same unpack) on a socket under its exec-root.
D26_ROOT=$STATE/docker26/root
D26_APT=$STATE/docker26/apt
D26_VERSION_PREFIX=26.1.
D26_ENGINES=(classic containerd)
# Filled by ensure_docker26: one JSON object per engine for facts.json.
D26_FACTS=()

d26_dir() { printf '%s' "$STATE/docker26-$1"; }
d26_host() { printf 'unix://%s/docker.sock' "$(d26_dir "$1")"; }
d26_config() {
  case "$1" in
    containerd) printf '{"features": {"containerd-snapshotter": true}}\n' ;;
    *) printf '{"storage-driver": "overlay2"}\n' ;;
  esac
}

# The mirror the system's own apt sources use for Debian's main archive.
debian_mirror() {
  local uri
  uri=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
    awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; exit } }' | grep -v -- '-security' | head -n 1 || true)
  if [ -z "$uri" ]; then
    uri=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null | awk 'tolower($1) == "uris:" {print $2}' | grep -v -- '-security' | head -n 1 || true)
  fi
  printf '%s' "${uri%/}"
}

d26_apt() {
  apt-get -q -o Dir::Etc::sourcelist="$D26_APT/sources.list" -o Dir::Etc::sourceparts=- \
    -o Dir::State::Lists="$D26_APT/lists" -o Dir::Cache="$D26_APT/cache" \
    -o APT::Sandbox::User=root "$@"
}

ensure_docker26_binaries() {
  if [ -x "$D26_ROOT/usr/sbin/dockerd" ] && [ -x "$D26_ROOT/usr/bin/containerd" ] && [ -x "$D26_ROOT/usr/bin/docker" ]; then return 0; fi
  if ! command -v apt-get >/dev/null 2>&1 || ! command -v dpkg-deb >/dev/null 2>&1; then
    die "Docker 26.1 for the lab comes from Debian trixie's docker.io and containerd packages, and this machine has no apt-get/dpkg-deb to fetch them"
  fi
  local mirror keyring=/usr/share/keyrings/debian-archive-keyring.gpg
  mirror=$(debian_mirror)
  [ -n "$mirror" ] || die "found no Debian mirror in /etc/apt/sources.list{,.d} to fetch trixie's docker.io 26.1 from"
  [ -r "$keyring" ] || die "$keyring is missing (Debian package debian-archive-keyring), so trixie's docker.io 26.1 cannot be verified"
  mkdir -p "$D26_APT/lists/partial" "$D26_APT/cache/archives/partial"
  printf 'deb [signed-by=%s] %s trixie main\n' "$keyring" "$mirror" >"$D26_APT/sources.list"
  # docker-cli: a current docker CLI (26.1) that the endpoint tests use as their oracle on every
  # machine, whatever CLI the machine itself has (Debian 12's is 20.10).
  say "fetching Debian trixie's docker.io, docker-cli and containerd from $mirror (log: $D26_APT/apt.log)"
  local debs
  debs=$(mktemp -d "$STATE/docker26/debs.XXXXXX")
  {
    d26_apt update && (cd "$debs" && d26_apt download docker.io docker-cli containerd)
  } >"$D26_APT/apt.log" 2>&1 || {
    tail -n 20 "$D26_APT/apt.log" >&2
    rm -rf "$debs"
    die "apt-get could not download trixie's docker.io and containerd from $mirror (log: $D26_APT/apt.log)"
  }
  local tmp deb
  tmp=$(mktemp -d "$STATE/docker26/root.XXXXXX")
  for deb in "$debs"/*.deb; do dpkg-deb -x "$deb" "$tmp" || die "dpkg-deb could not unpack $deb"; done
  rm -rf "$debs"
  [ -x "$tmp/usr/sbin/dockerd" ] || die "trixie's docker.io holds no usr/sbin/dockerd"
  [ -x "$tmp/usr/bin/containerd" ] || die "trixie's containerd holds no usr/bin/containerd"
  [ -x "$tmp/usr/bin/docker" ] || die "trixie's docker-cli holds no usr/bin/docker"
  # docker-init is a relative link to tini-static, which Debian's tini package (installed above) provides.
  [ -x /usr/bin/tini-static ] || die "/usr/bin/tini-static is missing (Debian package tini): dockerd 26.1 needs it as docker-init"
  ln -sf /usr/bin/tini-static "$tmp/usr/bin/tini-static"
  rm -rf "$D26_ROOT"
  mv "$tmp" "$D26_ROOT"
}

# Prints the engine's server version, or fails when nothing answers on its socket.
d26_answers() {
  local out
  out=$(timeout 5 docker -H "$(d26_host "$1")" info --format '{{.ServerVersion}}|{{.Driver}}|{{.DefaultRuntime}}' 2>/dev/null) || return 1
  case "$out" in "$D26_VERSION_PREFIX"*"|lab-runc") printf '%s' "$out" ;; *) return 1 ;; esac
}

d26_pid() {
  local dir pid
  dir=$(d26_dir "$1")
  pid=$(cat "$dir/docker.pid" 2>/dev/null) || return 1
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "$dir/docker.sock" || return 1
  printf '%s' "$pid"
}

start_docker26() {
  local name=$1 dir pid
  dir=$(d26_dir "$name")
  mkdir -p "$dir"
  if pid=$(d26_pid "$name"); then
    say "stopping dockerd 26.1 ($name) $pid, which does not answer"
    kill -TERM "$pid"
    for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -0 "$pid" 2>/dev/null && die "dockerd 26.1 ($name) $pid did not stop within 30 s"
  fi
  d26_config "$name" >"$dir/daemon.json"
  install_wrapper
  say "starting dockerd 26.1 ($name store) on $(d26_host "$name") (log: $dir/dockerd.log)"
  # Its PATH puts trixie's containerd and shims first; runc stays the system's.
  PATH=$D26_ROOT/usr/bin:$D26_ROOT/usr/sbin:$PATH daemonize "$dir/dockerd.log" "$D26_ROOT/usr/sbin/dockerd" \
    --config-file "$dir/daemon.json" -H "$(d26_host "$name")" --pidfile "$dir/docker.pid" \
    --data-root "$dir/data" --exec-root "$dir/exec" "${DOCKERD_FLAGS[@]}" \
    --add-runtime "lab-runc=$STATE/lab-runc" --default-runtime lab-runc
  for _ in $(seq 1 300); do
    d26_answers "$name" >/dev/null && return 0
    sleep 0.2
  done
  tail -n 20 "$dir/dockerd.log" >&2
  die "dockerd 26.1 ($name store) did not answer on $(d26_host "$name") within 60 s (log: $dir/dockerd.log)"
}

# The base image, copied from the system engine so every engine runs the same rootfs.
d26_base_image() {
  local host
  host=$(d26_host "$1")
  timeout 10 docker -H "$host" image inspect "$BASE_IMAGE" >/dev/null 2>&1 && return 0
  say "loading $BASE_IMAGE into dockerd 26.1 ($1 store)"
  timeout 60 docker save "$BASE_IMAGE" | timeout 60 docker -H "$host" load -q >/dev/null ||
    die "could not copy $BASE_IMAGE from the system engine into dockerd 26.1 ($1 store)"
}

# Every dockerd reads /etc/docker/certs.d; one pull per engine proves it trusts the lab CA.
d26_trusts_registry() {
  local host stamp
  host=$(d26_host "$1")
  stamp=$(d26_dir "$1")/.registry-pulled
  [ -f "$stamp" ] && cmp -s "$stamp" "$STATE/tls/ca.crt" && return 0
  local ref=127.0.0.1:$REG_PORT/$PUSHED_REPO:$PUSHED_TAG
  timeout 120 docker -H "$host" pull -q "$ref" >"$(d26_dir "$1")/pull.log" 2>&1 || {
    cat "$(d26_dir "$1")/pull.log" >&2
    die "dockerd 26.1 ($1 store) could not pull $ref: it does not trust the lab CA (/etc/docker/certs.d/127.0.0.1:$REG_PORT/ca.crt)"
  }
  timeout 30 docker -H "$host" rmi "$ref" >/dev/null 2>&1 || true
  cp "$STATE/tls/ca.crt" "$stamp"
}

ensure_docker26() {
  local have_registry=$1 name out
  D26_FACTS=()
  # Also when both daemons answer: a lab from before docker-cli joined the unpack gets it now.
  if [ "$IS_ROOT" = 1 ]; then ensure_docker26_binaries; fi
  for name in "${D26_ENGINES[@]}"; do
    if ! out=$(d26_answers "$name"); then
      if [ "$IS_ROOT" != 1 ]; then
        soft_fail "dockerd 26.1 ($name store) does not answer on $(d26_host "$name") and only root can start it (sudo bash test/lab/up.sh)"
        continue
      fi
      ensure_docker26_binaries
      start_docker26 "$name"
      out=$(d26_answers "$name")
    fi
    d26_base_image "$name"
    if [ "$have_registry" = 1 ]; then d26_trusts_registry "$name"; fi
    local version=${out%%|*} rest=${out#*|}
    local driver=${rest%%|*} dir
    dir=$(d26_dir "$name")
    D26_FACTS+=("{\"id\": $(json_str "docker26-$name"), \"host\": $(json_str "$(d26_host "$name")"), \"serverVersion\": $(json_str "$version"), \"imageStore\": $(json_str "$name"), \"driver\": $(json_str "$driver"), \"defaultRuntime\": \"lab-runc\", \"privileged\": true, \"dockerd\": $(json_str "$D26_ROOT/usr/sbin/dockerd"), \"binDirs\": [$(json_str "$D26_ROOT/usr/bin"), $(json_str "$D26_ROOT/usr/sbin")], \"pidFile\": $(json_str "$dir/docker.pid"), \"dataRoot\": $(json_str "$dir/data"), \"execRoot\": $(json_str "$dir/exec")}")
  done
}

# Node reads only one extra CA file, so combine any the user already had with the lab CA.
write_ca_bundle() {
  local bundle=$FACTS_DIR/ca-bundle.pem
  {
    if [ -n "${NODE_EXTRA_CA_CERTS:-}" ] && [ -r "$NODE_EXTRA_CA_CERTS" ] && [ "$NODE_EXTRA_CA_CERTS" != "$bundle" ]; then
      cat "$NODE_EXTRA_CA_CERTS"
    fi
    cat "$STATE/tls/ca.crt"
  } >"$bundle.new"
  mv -f "$bundle.new" "$bundle"
}

json_str() { printf '"%s"' "$(printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g')"; }

write_facts() {
  local have_registry=$1 have_token=$2
  local runtime=$DOCKER_RUNTIME server=$DOCKER_SERVER privileged=false
  if [ "$runtime" = lab-runc ] || ! host_lacks_caps; then privileged=true; fi
  local registry=null token=null
  if [ "$have_registry" = 1 ]; then
    registry="{\"host\": $(json_str "127.0.0.1:$REG_PORT"), \"url\": $(json_str "https://127.0.0.1:$REG_PORT"), \"caFile\": $(json_str "$STATE/tls/ca.crt"), \"repository\": $(json_str "$PUSHED_REPO"), \"tag\": $(json_str "$PUSHED_TAG"), \"image\": $(json_str "127.0.0.1:$REG_PORT/$PUSHED_REPO:$PUSHED_TAG")}"
  fi
  if [ "$have_token" = 1 ]; then
    token="{\"host\": $(json_str "127.0.0.1:$TOKEN_REG_PORT"), \"url\": $(json_str "https://127.0.0.1:$TOKEN_REG_PORT"), \"caFile\": $(json_str "$STATE/tls/ca.crt"), \"realm\": $(json_str "http://127.0.0.1:$TOKEN_ISSUER_PORT/token"), \"issuerPort\": $TOKEN_ISSUER_PORT, \"username\": $(json_str "$TOKEN_USER"), \"password\": $(json_str "$TOKEN_PASSWORD"), \"repository\": $(json_str "$PUSHED_REPO"), \"publicRepository\": $(json_str "$PUBLIC_REPO"), \"tag\": $(json_str "$PUSHED_TAG"), \"service\": $(json_str "$TOKEN_SERVICE"), \"issuer\": $(json_str "$TOKEN_ISSUER"), \"signingKeyFile\": $(json_str "$STATE/tls/token-signing.key"), \"signingCertFile\": $(json_str "$STATE/tls/token-signing.crt")}"
  fi
  # The system engine first, then the lab's own; tests run once per entry.
  local store=classic engines
  [ "$DOCKER_DRIVER" = overlayfs ] && store=containerd
  engines="{\"id\": \"system\", \"host\": $(json_str "${DOCKER_HOST:-unix:///var/run/docker.sock}"), \"serverVersion\": $(json_str "$server"), \"imageStore\": \"$store\", \"driver\": $(json_str "$DOCKER_DRIVER"), \"defaultRuntime\": $(json_str "$runtime"), \"privileged\": $privileged}"
  local e
  for e in "${D26_FACTS[@]}"; do engines="$engines,
    $e"; done
  cat >"$FACTS_DIR/facts.json.new" <<EOF
{
  "version": 1,
  "stateDir": $(json_str "$STATE"),
  "docker": {"serverVersion": $(json_str "$server"), "defaultRuntime": $(json_str "$runtime"), "privileged": $privileged},
  "baseImage": $(json_str "$BASE_IMAGE"),
  "caFile": $(json_str "$STATE/tls/ca.crt"),
  "caBundleFile": $(json_str "$FACTS_DIR/ca-bundle.pem"),
  "registry": $registry,
  "tokenRegistry": $token,
  "engines": [
    $engines
  ]
}
EOF
  mv -f "$FACTS_DIR/facts.json.new" "$FACTS_DIR/facts.json"
}

ensure_packages
if [ "${1:-}" = --packages-only ]; then
  say "packages present"
  exit 0
fi
ensure_docker
ensure_base_image
have_registry=0
have_token=0
if command -v openssl >/dev/null 2>&1; then
  ensure_tls
  write_ca_bundle
  if ensure_registry plain "$REG_PORT" 200; then
    have_registry=1
    ensure_pushed_image
  fi
  # Without a token the registry must answer 401 with a Bearer challenge.
  if ensure_registry token "$TOKEN_REG_PORT" 401 && ensure_token_issuer; then
    have_token=1
  fi
  if [ "$have_token" = 1 ]; then ensure_token_pushed; fi
else
  soft_fail "openssl is not installed, so the lab has no TLS registry"
fi
ensure_docker26 "$have_registry"
ensure_sshd || true
write_facts "$have_registry" "$have_token"
say "up; facts in $FACTS_DIR/facts.json"

# Sourced by the container scripts: Podman as it runs on this project's machines — the runc
# runtime (crun fails under cgroups hybrid mode here), host networking for builds and runs, and
# no default ulimits (setting rlimits is refused). Elsewhere these settings are harmless.
if [ -z "${CONTAINERS_CONF:-}" ]; then
  export CONTAINERS_CONF="${TMPDIR:-/tmp}/textserve-containers.conf"
  cat >"$CONTAINERS_CONF" <<'CONF'
[containers]
default_ulimits = []
netns = "host"

[engine]
runtime = "runc"
CONF
fi
command -v podman >/dev/null || { echo "podman is not installed (apt-get install podman runc)" >&2; exit 1; }
# Without systemd Podman cannot schedule HEALTHCHECK timers and says so on every start; the
# checks run health checks themselves (`podman healthcheck run`), so that line is noise here.
quiet_podman() { podman "$@" 2> >(grep -v "systemd connection" >&2); }

/** What each `docker info` warning means and whether it matters for a Dagger engine. */
export interface WarningExplanation {
  readonly id: string
  readonly detail: string
  readonly fix: string
}

const KNOWN: readonly {pattern: RegExp; explain: WarningExplanation}[] = [
  {
    pattern: /No swap limit support/i,
    explain: {
      id: 'no-swap-limit',
      detail: 'The kernel does not account swap per cgroup, so containers cannot be given a swap limit. The Dagger engine does not set one: harmless for it.',
      fix: 'Nothing to do for Dagger. To enable it, add `cgroup_enable=memory swapaccount=1` to the kernel command line and reboot.',
    },
  },
  {
    pattern: /IPv4 forwarding is disabled/i,
    explain: {
      id: 'ipv4-forwarding-disabled',
      detail: 'The host does not forward IPv4 packets, so containers on bridge networks cannot reach the outside. The engine container pulls images and runs builds that need the network.',
      fix: 'Enable forwarding: `sudo sysctl -w net.ipv4.ip_forward=1` (persist it in /etc/sysctl.d/), or let dockerd manage it (remove `--ip-forward=false`).',
    },
  },
  {
    pattern: /bridge-nf-call-(ip6?tables) is disabled/i,
    explain: {
      id: 'bridge-nf-call-disabled',
      detail: 'Bridged traffic bypasses iptables, so published ports and container isolation rules may not apply. It rarely breaks a Dagger build.',
      fix: 'Load the module and enable it: `sudo modprobe br_netfilter && sudo sysctl -w net.bridge.bridge-nf-call-iptables=1 net.bridge.bridge-nf-call-ip6tables=1`.',
    },
  },
  {
    pattern: /No (kernel )?memory limit support|No oom kill disable support|No cpu (cfs quota|cfs period|shares|cpuset) support|No (blkio|io)\b/i,
    explain: {
      id: 'cgroup-controller-missing',
      detail: 'A cgroup controller is not available, so the matching resource limit cannot be applied to containers. The Dagger engine runs without those limits.',
      fix: 'Usually harmless for Dagger. On cgroup v2 hosts, enable the controller for the docker slice; otherwise check the kernel command line.',
    },
  },
  {
    pattern: /API is accessible on http:\/\/.*without encryption|Binding to IP address without --tlsverify/i,
    explain: {
      id: 'insecure-tcp-api',
      detail: 'The daemon listens on TCP without TLS: anyone who can reach that port controls Docker, and so the host (the engine container is privileged).',
      fix: 'Remove the plain tcp:// listener from `hosts` / `-H`, or configure `--tlsverify` with client certificates.',
    },
  },
  {
    pattern: /(running in|with) the (vfs|devicemapper|aufs|overlay)? ?storage driver|storage-driver .* deprecated|is deprecated/i,
    explain: {
      id: 'storage-driver-deprecated',
      detail: 'The storage driver in use is deprecated or slow. The Dagger engine stores its cache in a volume under the data root, so a slow driver slows every build.',
      fix: 'Use overlay2 (or the containerd snapshotter): set `"storage-driver": "overlay2"` in daemon.json and restart Docker (images must be pulled again).',
    },
  },
  {
    pattern: /cgroup ?v1|cgroups v1/i,
    explain: {
      id: 'cgroup-v1',
      detail: 'The host uses cgroup v1, which current Docker releases deprecate. The Dagger engine entrypoint supports both, but newer engines are tested on v2.',
      fix: 'Boot with the unified hierarchy (`systemd.unified_cgroup_hierarchy=1`) when you can.',
    },
  },
]

/** Explains a `docker info` warning; unknown ones still get a plain reading and a fix. */
export function explainInfoWarning(warning: string): WarningExplanation {
  for (const known of KNOWN) if (known.pattern.test(warning)) return known.explain
  const id = `docker-info-${warning.toLowerCase().replace(/^warning:\s*/, '').replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40)}`
  return {
    id,
    detail: `The daemon reports: "${warning}". dagger-explore has no explanation of this one yet; it comes from the daemon itself, not from Dagger.`,
    fix: 'Search the Docker documentation for this message; `docker info` prints it too.',
  }
}

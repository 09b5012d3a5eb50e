/**
The phrases of the journey beyond the registry: what the dagger CLI, the engine's entrypoint, BuildKit,
docker, git, curl and go print when the engine, Docker, a proxy, git, a disk, a version or the
user's own pipeline is the problem. Two kinds:

- causes name a root cause outright (`no space left on device`, `exec format error`); when several are
  in one wrapped message, the innermost (rightmost) one decides;
- wrappers say what was being done (`fatal: unable to access 'URL'`, `http do: Post "http://dagger/query"`)
  and decide only when the cause under them is a plain network error, which then reads better as
  "git could not reach github.com" than as a bare DNS failure.
*/
import type {ExplainCategory} from './categories.js'

export interface JourneyRule {
  readonly category: ExplainCategory
  readonly pattern: RegExp
  /** What this particular message means beyond its category's meaning, and what to check. */
  readonly hint?: string
  /** For a wrapper: false when it is no failure without a cause under it (`go: downloading …`). */
  readonly alone?: boolean
}

const LOOPBACK = String.raw`(?:127\.\d+\.\d+\.\d+|localhost|\[?::1\]?)`
const CORPORATE_ISSUERS = /Zscaler|Netskope|Forti(?:Gate|net)|Palo ?Alto|Blue ?Coat|Sophos|Forcepoint|Cisco Umbrella|Symantec Web|McAfee Web|mitmproxy|Charles Proxy|Fiddler|Kaspersky|ESET SSL|Avast|corporate|\bproxy\b[^"]*CA/i

export const CAUSE_RULES: readonly JourneyRule[] = [
  // Docker itself, as the docker CLI and the dagger CLI's provisioner print it.
  {
    category: 'docker_unavailable',
    pattern:
      /Cannot connect to the Docker daemon|permission denied while trying to connect to the Docker daemon|dial unix \S*docker\.sock|\berror during connect:|Is the docker daemon running\?|open \/\/\.\/pipe\/docker_engine/i,
  },
  {
    category: 'docker_unavailable',
    pattern: /exec: "?docker"?: executable file not found|\bdocker: (?:command )?not found|docker: No such file or directory|failed to run docker\b.*not found|\bdocker CLI (?:is )?not (?:found|installed)/i,
    hint: 'The dagger CLI provisions its engine with the `docker` CLI; it must be on the PATH dagger runs with.',
  },
  {
    category: 'docker_unavailable',
    pattern: /podman(?:-container)?:\/\/|\bcontainer\+podman:\/\/|exec: "?podman"?: executable file not found|\bpodman: (?:command )?not found|unsupported runner host|invalid runner host/i,
    hint: 'The runner host names a container runtime (podman, say) that this machine does not run as dagger expects; check _EXPERIMENTAL_DAGGER_RUNNER_HOST.',
  },
  // A proxy on loopback that nothing listens on (inside a container, 127.0.0.1 is the container).
  {
    category: 'proxy',
    pattern: new RegExp(String.raw`Failed to connect to ${LOOPBACK} port \d+|proxyconnect tcp: dial tcp ${LOOPBACK}:\d+|Received HTTP code 40[37] from proxy|CONNECT tunnel failed|Proxy CONNECT aborted|Could not resolve proxy|Unable to connect to proxy|Proxy Authentication Required|Proxy response \(\d+\)`, 'i'),
    hint: 'A proxy address on 127.0.0.1 or localhost works on the host but not inside a container or the engine, where loopback is the container itself.',
  },
  {
    category: 'proxy',
    pattern: new RegExp(String.raw`(?:x509|certificate|SSL)[^\n]*?(?:${CORPORATE_ISSUERS.source})`, 'i'),
    hint: 'The certificate comes from a TLS-inspecting proxy: the engine must trust the proxy\'s CA (~/.config/dagger/ca-certificates for an engine dagger provisions).',
  },
  // Disks.
  {category: 'disk_full', pattern: /no space left on device|\bENOSPC\b|disk quota exceeded|\bEDQUOT\b|not enough space on the disk|No space left|insufficient (?:disk )?space|out of disk space/i},
  // Pull quotas (Docker Hub's, GitHub's API when --x-release resolves a ref).
  {
    category: 'rate_limit',
    pattern: /toomanyrequests|Too Many Requests|\bstatus(?: code)?:? 429\b|\b429\b.*rate|HAP429|pull rate limit|rate limit exceeded|secondary rate limit|ratelimit-remaining:\s*0\b/i,
  },
  // CPU architecture.
  {
    category: 'platform',
    pattern:
      /exec format error|cannot execute binary file|no matching manifest for \S+ in the manifest|platform \([^)]*\) does not match the detected host platform|does not match the specified platform|qemu: uncaught target signal|qemu-\S+: Could not open|rosetta error|buildkit-qemu-\S+: (?:not found|no such file)|DOCKER_DEFAULT_PLATFORM/i,
  },
  // Go and its toolchain (the mage eras build with the host's go).
  {
    category: 'go_toolchain',
    pattern:
      /go\.mod requires go\s*>=?\s*\d|requires go\s*>=\s*\d|invalid go version '[^']*': must match|unknown directive: toolchain|go: download go\d\S* for \S+: toolchain not available|go: downloading go\d[^\n]*(?:error|failed|timeout)|GOTOOLCHAIN=\w+[^\n]*(?:requires|not available)|note: module requires Go \d|go: updates to go\.mod needed|\bgo: (?:command )?not found|exec: "go": executable file not found|go: errors parsing go\.mod|go: cannot find main module/i,
  },
  // Versions that disagree.
  {
    category: 'version_skew',
    pattern:
      /incompatible (?:engine|client|cli|dagger) version|requires (?:an? )?(?:newer|incompatible) (?:engine|dagger)|engine version \S+ is (?:older|newer|not compatible)|(?:client|cli|engine) (?:version )?\S* ?is (?:too old|too new|not compatible|incompatible)|minimum (?:supported )?(?:engine|client|cli) version|unsupported (?:engine|client|cli) version|version mismatch|module requires dagger v?\d|requires (?:dagger )?engine (?:version )?v?\d|requires dagger (?:engine )?(?:version )?v?\d[^\n]*(?:but|have|running)|unknown flag: --x-release|unknown command "(?:api|shell|check|toolchain|generate)" for "dagger"|unknown shorthand flag: 'M' in -M/i,
    hint: 'A `dagger` older than this checkout (the one on PATH, usually) ran instead of the one it needs: compare `dagger version` with `./bin/dagger version`.',
  },
  // The user's own pipeline, as the engine or the CLI reports it.
  {
    category: 'usage',
    pattern:
      /no command has been set|no command set\b|Cannot query field "[^"]+" on type|unknown command "[^"]+" for "dagger|unknown flag: --|unknown shorthand flag|required flag\(s\) "[^"]+" not set|missing required argument|accepts \d+ arg\(s\), received \d+|function "[^"]+" not found|no function named|Unknown argument "[^"]+" on field|Field "[^"]+" argument "[^"]+" of type "[^"]+" is required|has no (?:default )?(?:entrypoint|command)|no dagger\.json found|no module found|is not a valid (?:module|function) name/i,
  },
  // The engine container dies as it starts.
  {
    category: 'engine_start',
    pattern:
      /can't initialize ip6?tables table|Table does not exist \(do you need to insmod\?\)|\bCNI setup error|plugin type="\w+" failed|failed to (?:set ?up|setup) (?:the )?(?:cni|network namespace|bridge)|failed to list chains|nft(?:ables)?: [^\n]*(?:not supported|Operation not supported|No such file)|iptables[^\n]*exit status [1-9]/i,
    hint: 'The engine\'s networking needs the iptables `nat` table: `sudo modprobe iptable_nat` (persist it in /etc/modules-load.d/iptables_nat.conf); kernels without legacy xtables need an engine that uses nftables.',
  },
  {
    category: 'engine_start',
    pattern:
      /error setting (?:rlimit|limit)|failed to set (?:rlimit|ulimit)|setrlimit|ulimit: [^\n]*(?:cannot modify limit|Operation not permitted)|sed: (?:write error|couldn't flush|can't read \/sys\/fs\/cgroup)|\/sys\/fs\/cgroup[^\n]*(?:Read-only file system|Operation not permitted|Permission denied|Device or resource busy|No such file)|cgroup\.subtree_control|cgroups?: (?:cgroup mountpoint does not exist|[^\n]*not supported)|failed to (?:create|move to|join) cgroup|rootless[^\n]*(?:not supported|operation not permitted)|requires (?:--)?privileged|must be run with --privileged|operation not permitted[^\n]*(?:mount|overlay|fuse)|fuse: device not found|kubelet|containerd(?:-shim)?[^\n]*(?:failed to start|exited|not running)|failed to create shim task|removal of container \S+ is already in progress/i,
    hint: 'The engine needs a rootful, privileged container with its own cgroup tree; rootless Docker, podman without --privileged or a locked-down runtime make it die as it starts. "removal of container … is already in progress" means two dev builds ran at once: run ./hack/dev once, then ./hack/with-dev.',
  },
  {
    category: 'engine_start',
    pattern: /port is already allocated|driver failed programming external connectivity|bind: address already in use/i,
    hint: 'The dev engine publishes its debug port 6060 on the host: another engine (or pprof tool) already holds it. `docker ps --filter publish=6060` shows which container.',
  },
  // The engine is there (or should be) but does not answer.
  {
    category: 'engine_unreachable',
    pattern:
      /dial unix \S*(?:dagger|buildkit)\S*\.sock|(?:engine|buildkitd?)\.sock\S*:? [^\n]*(?:no such file|connection refused|permission denied)|exit(?:ed with)? (?:exit )?(?:status|code):? 137\b|\bOOMKilled\b|signal: killed|container \S+ is not running|is not running[^\n]*dagger-engine|No such container:?\s*\S*dagger-engine|buildkit failed to respond|container state improper|error reading server preface|dial-stdio\]? (?:has )?exited/i,
    hint: 'Exit status 137 is SIGKILL, usually the kernel\'s OOM killer: `docker inspect -f {{.State.OOMKilled}} <engine>` says so.',
  },
]

export const WRAPPER_RULES: readonly JourneyRule[] = [
  {category: 'git', pattern: /fatal: unable to access|fatal: repository '[^']*' not found|remote: Repository not found|fatal: Authentication failed|fatal: could not read (?:Username|Password)|Could not read from remote repository|Permission denied \(publickey|Host key verification failed|ssh: connect to host \S+ port 22|ssh: Could not resolve hostname|\bgit (?:clone|fetch|ls-remote)\b[^\n]*(?:failed|exit status)|failed to (?:fetch|resolve|load) (?:git|remote)|git error:|fatal: early EOF|RPC failed; curl|invalid git url|not a git repository/i},
  {category: 'go_toolchain', pattern: /proxy\.golang\.org|sum\.golang\.org|\bGOPROXY\b|go: (?:downloading|finding|verifying) |go: \S+@\S+: /, alone: false},
  {category: 'engine_unreachable', pattern: /http do: (?:Post|Get) "https?:\/\/dagger\/|failed to connect to (?:the )?(?:dagger )?engine|(?:could not|unable to|failed to) (?:reach|dial|contact) (?:the )?(?:dagger )?engine|\bengine (?:is )?not (?:running|ready|reachable)|rpc error: code = Unavailable|buildctl dial-stdio|connect to engine/i},
  {category: 'engine_start', pattern: /failed to (?:start|run|create|provision) (?:the )?(?:dagger )?engine|engine container\b.*\b(?:exited|failed|is not running|is restarting)|dagger-engine\S*.*(?:exited with|Exited \(\d+\)|failed to start|is restarting|OCI runtime (?:create|start) failed)|Conflict\. The container name "\/?dagger-engine/i},
]

/**
Needles the prefilter must add for these phrases. Most journey messages already hold a registry
needle (`error`, `failed`, `not found`, `denied`, `exceeded`); these are for the ones that do not
(`fatal: unable to access …`, `… no space left on device`, `ulimit: … Operation not permitted`). Each
one costs scan speed, so only phrases that stand alone in real output are here.
*/
export const JOURNEY_NEEDLES: readonly string[] = [
  'space left',
  'dagger/query',
  'not permitted',
  'fs/cgroup',
  'HTTP code',
  'Username for',
  'target signal',
  'GOTOOLCHAIN',
  "go version '",
  'toolchain',
  'initialize iptables',
  'unable to access',
  'DOCKER_DEFAULT_PLATFORM',
  'specified platform',
  'host platform',
  'main module',
]

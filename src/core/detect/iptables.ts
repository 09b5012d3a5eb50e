/**
The engine sets up container networking with iptables in its `nat` table (CNI bridge plugin). With
the legacy iptables backend that needs the kernel's `iptable_nat`; where it is neither loaded nor
built in, the engine fails with `can't initialize iptables table 'nat': Table does not exist (do you
need to insmod?)`. Kernels built without legacy xtables have no such module at all.
*/
import {existsSync, readdirSync, readFileSync} from 'node:fs'
import path from 'node:path'
import type {Finding} from '../types.js'

export interface NatFacts {
  readonly kernel: string
  /** Module names from /proc/modules. */
  readonly loaded: readonly string[]
  /** Tables from /proc/net/ip_tables_names (null when the file is missing: ip_tables not loaded). */
  readonly tables: readonly string[] | null
  /** iptable_nat is in modules.builtin. */
  readonly builtin: boolean
  /** An iptable_nat.ko* file exists under /lib/modules/KERNEL (null when the folder cannot be read). */
  readonly moduleFile: boolean | null
}

function lines(file: string): string[] | null {
  try {
    return readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '')
  } catch {
    return null
  }
}

function findModule(dir: string, depth = 0): boolean {
  if (depth > 8) return false
  let entries: import('node:fs').Dirent[]
  try {
    entries = readdirSync(dir, {withFileTypes: true})
  } catch {
    return false
  }
  for (const e of entries) {
    if (e.isFile() && /^iptable_nat\.ko/.test(e.name)) return true
    if (e.isDirectory() && findModule(path.join(dir, e.name), depth + 1)) return true
  }
  return false
}

/** Reads the facts from /proc and /lib/modules (roots are parameters for tests). */
export function readNatFacts(kernel: string, roots: {proc?: string; modules?: string} = {}): NatFacts {
  const proc = roots.proc ?? '/proc'
  const modulesDir = path.join(roots.modules ?? '/lib/modules', kernel)
  const loaded = (lines(path.join(proc, 'modules')) ?? []).map((l) => l.split(' ')[0] ?? '')
  const tables = lines(path.join(proc, 'net', 'ip_tables_names'))
  const builtin = (lines(path.join(modulesDir, 'modules.builtin')) ?? []).some((l) => /\/iptable_nat\.ko$/.test(l))
  const netfilter = path.join(modulesDir, 'kernel', 'net', 'ipv4', 'netfilter')
  const moduleFile = existsSync(modulesDir) ? findModule(existsSync(netfilter) ? netfilter : modulesDir) : null
  return {kernel, loaded, tables, builtin, moduleFile}
}

/** Pass when the nat table is there or can be; warn with the modprobe fix when it is not loaded; fail when the kernel has none. */
export function natFinding(f: NatFacts): Finding {
  if (f.tables?.includes('nat') || f.loaded.includes('iptable_nat') || f.builtin) {
    return {id: 'iptables-nat-ok', status: 'pass', title: `The legacy iptables nat table is available (kernel ${f.kernel})`}
  }
  if (f.moduleFile === false) {
    return {
      id: 'iptables-nat-missing',
      status: 'fail',
      title: `Kernel ${f.kernel} has no iptable_nat module: legacy iptables cannot make the nat table`,
      detail: 'The module is neither loaded, built in, nor installed under /lib/modules. Engines that set up networking with iptables-legacy fail with "can\'t initialize iptables table \'nat\': Table does not exist (do you need to insmod?)" (newer kernels may be built without legacy xtables).',
      fix: 'Install the kernel\'s extra modules package (it holds iptable_nat), or use an engine image that sets up networking with nftables (the dagger engine image ships both iptables-legacy and nftables in newer releases).',
    }
  }
  return {
    id: 'iptables-nat-not-loaded',
    status: 'warn',
    title: `iptable_nat is not loaded (kernel ${f.kernel})`,
    detail: 'Nothing has the legacy nat table open yet, and the engine container cannot load kernel modules itself on every distribution (RHEL-like hosts): its networking then fails with "CNI setup error … can\'t initialize iptables table \'nat\'".',
    fix: 'Run `sudo modprobe iptable_nat`, and make it permanent with `echo iptable_nat | sudo tee /etc/modules-load.d/iptables_nat.conf`.',
  }
}

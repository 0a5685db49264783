// Differential test of the semver, npm, cargo, pep440 and gem schemes (orderings and
// ranges) against the JavaScript reference implementations from the npm registry:
// node-semver ("semver"), @renovatebot/pep440 (a port of Python's packaging) and
// @renovatebot/ruby-semver (a port of Gem::Version and Gem::Requirement).
//
// usage: node diff_node.mjs BOSUN NODE_MODULES_DIR
// Seeded: the same pairs on every run. One bosun process per scheme ("vercmp --batch").
// Exit 1 on any disagreement. Intended differences (documented in the scheme files) are kept
// out of the generators: numbers beyond 2^53 (JavaScript numbers lose precision there), the
// empty gem version (Gem::Version reads it as "0", ruby-semver rejects it), upper-case gem
// segments (Ruby compares strings byte-wise, ruby-semver with localeCompare), whitespace
// around PEP 440 versions (packaging strips it, the port refuses it). PEP 440 specifiers are
// checked against Python's packaging itself (diff_pep440.py): the port simplifies them.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [bosun, nodeModules] = process.argv.slice(2);
const N = Number(process.env.BSN_DIFF_PAIRS || 60000);
const NR = Number(process.env.BSN_DIFF_RANGES || 50000);
const require = createRequire(path.join(nodeModules, 'x.js'));
const semver = require('semver');
const imp = (name) => import(pathToFileURL(path.join(nodeModules, name, 'index.js')).href);
const pep440 = await imp('@renovatebot/pep440');
const ruby = await import(
  pathToFileURL(path.join(nodeModules, '@renovatebot/ruby-semver/dist/index.js')).href);

// mulberry32: small, seeded, good enough for test generation
function rng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  next.pick = (arr) => arr[Math.floor(next() * arr.length)];
  next.int = (lo, hi) => lo + Math.floor(next() * (hi - lo + 1));
  return next;
}

function runBatch(scheme, pairs, inMode) {
  const input = pairs.map(([a, b]) => `${a}\t${b}\n`).join('');
  const args = ['vercmp', scheme, '--batch'].concat(inMode ? ['--in'] : []);
  const p = spawnSync(bosun, args, { input, maxBuffer: 1 << 28 });
  if (p.status !== 0) {
    console.log(`FAIL: bosun ${args.join(' ')} exited ${p.status}: ${p.stderr}`);
    process.exit(1);
  }
  return p.stdout.toString().split('\n').slice(0, pairs.length);
}

const sign = (c) => (c < 0 ? '<' : c > 0 ? '>' : '=');

function check(name, scheme, pairs, ref, inMode = false) {
  const want = pairs.map(([a, b]) => {
    try {
      return ref(a, b);
    } catch (e) {
      return 'invalid';
    }
  });
  const got = runBatch(scheme, pairs, inMode);
  const kinds = {};
  want.forEach((w) => (kinds[w] = (kinds[w] || 0) + 1));
  const bad = [];
  pairs.forEach((p, i) => got[i] !== want[i] && bad.push([p, got[i], want[i]]));
  const k = Object.keys(kinds).sort().map((x) => `${x} ${kinds[x]}`).join(', ');
  console.log(`${name}: ${pairs.length} pairs (${k}), ${bad.length} disagreements`);
  for (const [[a, b], g, w] of bad.slice(0, 15))
    console.log(`  ${JSON.stringify(a)} vs ${JSON.stringify(b)}: bosun ${g}, reference ${w}`);
  return bad.length === 0;
}

function pairsFrom(r, make, mutate, n) {
  const pool = Array.from({ length: Math.max(300, n / 20) }, () => make(r));
  const out = [];
  while (out.length < n) {
    const k = r();
    const a = r.pick(pool);
    if (k < 0.4) out.push([a, r.pick(pool)]);
    else if (k < 0.9) out.push([a, mutate(r, a)]);
    else out.push([a, a]);
  }
  return out;
}

function mutateChars(r, v, alphabet) {
  const k = r();
  if (k < 0.3 && v.length > 1) {
    const i = r.int(0, v.length - 1);
    return v.slice(0, i) + r.pick(alphabet) + v.slice(i + 1);
  }
  if (k < 0.5) return v + r.pick(alphabet);
  if (k < 0.7) return v.replace(/\d+/, (d) => String(Number(d) + r.int(-1, 1)).replace('-', ''));
  if (k < 0.85) return v.slice(0, -1) || v;
  return v.replace(/\d/, (d) => '0' + d);
}

// ---- semver / npm / cargo ----
const NUMS = ['0', '1', '2', '3', '9', '10', '11', '123', '01', '00', '9007199254740991',
  '9007199254740992'];
const PRE = ['alpha', 'beta', 'rc', 'a', 'b', '0', '1', '2', '10', '01', '-', 'a-b', 'x1', '1a',
  'alpha1', 'beta2', 'RC', '--', '0a'];
const BUILD = ['build', '1', '01', 'sha.abc', 'x-y', '001'];

function semverMake(r, { loose = false, cargo = false } = {}) {
  const num = () => (r() < 0.9 ? r.pick(NUMS.slice(0, 8)) : r.pick(NUMS));
  let v = `${num()}.${num()}.${num()}`;
  if (r() < 0.45) {
    const ids = Array.from({ length: r.int(1, 3) }, () => r.pick(PRE));
    v += (loose && r() < 0.2 && /^[a-zA-Z]/.test(ids[0]) ? '' : '-') + ids.join('.');
  }
  if (r() < 0.15) v += '+' + Array.from({ length: r.int(1, 2) }, () => r.pick(BUILD)).join('.');
  if (!cargo) {
    if (r() < 0.1) v = 'v' + v;
    if (loose && r() < 0.1) v = r.pick(['=', ' ', 'v ', '= ', '=v']) + v;
    if (r() < 0.05) v = ' ' + v + ' ';
  }
  if (r() < 0.03) v = r.pick(['1.2', '1', '1.2.3.4', 'x', '', '1.2.3-', '1.2.3+', '1..2']);
  return v;
}

// a MAJOR.MINOR.PATCH number node-semver cannot hold (cargo can: checked by diff_go_cargo.py)
const beyondJs = (v) => v.split(/[-+]/)[0].split('.')
  .some((n) => /^\d+$/.test(n) && BigInt(n) > 9007199254740991n);

const SEMVER_CHARS = ['0', '1', '9', '.', '-', '+', 'a', 'b', 'x', 'v', 'A'];

function checkSemverLike(seed) {
  let ok = true;
  let r = rng(seed);
  ok = check('semver (node-semver strict)', 'semver',
    pairsFrom(r, (q) => semverMake(q), (q, v) => mutateChars(q, v, SEMVER_CHARS), N),
    (a, b) => {
      if (!semver.valid(a) || !semver.valid(b)) return 'invalid';
      return sign(semver.compare(a, b));
    }) && ok;
  r = rng(seed + 1);
  ok = check('npm (node-semver loose)', 'npm',
    pairsFrom(r, (q) => semverMake(q, { loose: true }), (q, v) => mutateChars(q, v, SEMVER_CHARS),
      N),
    (a, b) => {
      const o = { loose: true };
      if (!semver.valid(a, o) || !semver.valid(b, o)) return 'invalid';
      return sign(semver.compare(a, b, o));
    }) && ok;
  r = rng(seed + 2);
  ok = check('cargo (node-semver strict, no v/space, numbers < 2^53)', 'cargo',
    pairsFrom(r, (q) => semverMake(q, { cargo: true }),
      (q, v) => mutateChars(q, v, SEMVER_CHARS.filter((c) => c !== 'v')), N)
      .filter(([a, b]) => !beyondJs(a) && !beyondJs(b)),
    (a, b) => {
      const bad = (x) => !semver.valid(x) || /^[v\s]|\s$/.test(x);
      if (bad(a) || bad(b)) return 'invalid';
      return sign(semver.compare(a, b));
    }) && ok;
  return ok;
}

// ---- npm / semver ranges ----
function xpart(r) {
  return r() < 0.15 ? r.pick(['x', 'X', '*']) : r.pick(['0', '1', '2', '3', '10']);
}

function xver(r, full) {
  const n = full ? 3 : r.int(1, 3);
  let v = Array.from({ length: n }, () => xpart(r)).join('.');
  if (n === 3 && !/[xX*]/.test(v) && r() < 0.25) v += '-' + r.pick(['alpha', 'beta.1', '0', 'rc.2']);
  return v;
}

function rangeMake(r) {
  const sets = Array.from({ length: r.int(1, 3) }, () => {
    if (r() < 0.15) return `${xver(r)} - ${xver(r)}`;
    const n = r.int(1, 3);
    return Array.from({ length: n }, () => {
      const op = r.pick(['', '', '=', '<', '<=', '>', '>=', '~', '^', '~>']);
      const sp = r() < 0.2 && op ? ' ' : '';
      return op + sp + (r() < 0.05 ? '*' : xver(r));
    }).join(' ');
  });
  return sets.join(r() < 0.5 ? ' || ' : '||');
}

function rangeVersion(r) {
  let v = `${r.pick(['0', '1', '2', '3', '10'])}.${r.pick(['0', '1', '2', '3', '10'])}.` +
    `${r.pick(['0', '1', '2', '3', '10'])}`;
  if (r() < 0.3) v += '-' + r.pick(['alpha', 'beta.1', '0', 'rc.2', '1']);
  return v;
}

function checkRanges(seed) {
  let ok = true;
  for (const [scheme, opts] of [['npm', { loose: true }], ['semver', {}]]) {
    const r = rng(seed);
    const pairs = Array.from({ length: NR }, () => [rangeVersion(r), rangeMake(r)]);
    ok = check(`${scheme} ranges (node-semver satisfies${opts.loose ? ', loose' : ''})`,
      scheme, pairs, (v, range) => {
        if (semver.validRange(range, opts) === null) return 'invalid';
        return String(semver.satisfies(v, range, opts));
      }, true) && ok;
  }
  return ok;
}

// ---- pep440 ----
function pepMake(r) {
  let v = '';
  if (r() < 0.1) v += r.pick(['1', '2', '0']) + '!';
  v += Array.from({ length: r.int(1, 4) }, () => r.pick(['0', '1', '2', '10', '00', '01', '3']))
    .join('.');
  const sep = () => r.pick(['', '', '.', '-', '_']);
  if (r() < 0.3)
    v += sep() + r.pick(['a', 'b', 'rc', 'c', 'alpha', 'beta', 'pre', 'preview', 'RC', 'A']) +
      (r() < 0.8 ? sep() + r.pick(['0', '1', '2', '10', '01']) : '');
  if (r() < 0.2)
    v += r() < 0.3 ? '-' + r.pick(['1', '2', '0'])
      : sep() + r.pick(['post', 'rev', 'r', 'POST']) + (r() < 0.8 ? sep() + r.pick(['0', '1', '2']) : '');
  if (r() < 0.2) v += sep() + r.pick(['dev', 'DEV']) + (r() < 0.8 ? sep() + r.pick(['0', '1', '5']) : '');
  if (r() < 0.15)
    v += '+' + Array.from({ length: r.int(1, 3) }, () => r.pick(['abc', '1', '2', '01', 'ubuntu', 'x1']))
      .join(r.pick(['.', '-', '_']));
  if (r() < 0.05) v = 'v' + v;
  if (r() < 0.03) v = r.pick(['1.0+', 'a1', '1.0.', '1..0', '1.0-', '1.0+a..b', '1.0foo']);
  return v;
}

function checkPep440(seed) {
  let r = rng(seed);
  let ok = check('pep440 (@renovatebot/pep440)', 'pep440',
    pairsFrom(r, pepMake, (q, v) => mutateChars(q, v, ['0', '1', '.', 'a', 'b', 'post', 'dev', '+', '-']), N),
    (a, b) => {
      if (!pep440.valid(a) || !pep440.valid(b)) return 'invalid';
      return sign(pep440.compare(a, b));
    });
  return ok;
}

// ---- gem ----
function gemMake(r) {
  let v = Array.from({ length: r.int(1, 4) }, () => r.pick(['0', '1', '2', '10', '00', '01', '3']))
    .join('.');
  if (r() < 0.35)
    v += r.pick(['.', '']) + r.pick(['a', 'b', 'pre', 'rc', 'beta', 'alpha', 'z']) +
      (r() < 0.6 ? r.pick(['', '.']) + r.pick(['0', '1', '2', '10']) : '');
  if (r() < 0.15) v += '-' + r.pick(['1', 'beta', 'rc.1', 'a-b', 'pre.2']);
  if (r() < 0.1) v += '.' + r.pick(['0', '0.0', 'a', '1']);
  if (r() < 0.03) v = ' ' + v + ' ';
  if (r() < 0.03) v = r.pick(['a', '1.', '1..2', '1.0-', '-1', '1.0 2', 'x.y']);
  return v;
}

function checkGem(seed) {
  let r = rng(seed);
  let ok = check('gem (@renovatebot/ruby-semver)', 'gem',
    pairsFrom(r, gemMake, (q, v) => mutateChars(q, v, ['0', '1', '.', 'a', 'b', '-', 'pre']), N),
    (a, b) => {
      if (!ruby.valid(a) || !ruby.valid(b)) return 'invalid';
      return ruby.eq(a, b) ? '=' : ruby.gt(a, b) ? '>' : '<';
    });
  r = rng(seed + 1);
  const reqVer = (q) => Array.from({ length: q.int(1, 4) }, () => q.pick(['0', '1', '2', '3', '9']))
    .join('.') + (q() < 0.15 ? q.pick(['.a', '.rc1', '.pre.1', '.beta']) : '');
  const reqMake = (q) => Array.from({ length: q.int(1, 2) }, () =>
    q.pick(['', '= ', '!= ', '> ', '< ', '>= ', '<= ', '~> ', '~> ', '>=']) + reqVer(q))
    .join(', ');
  const pairs = Array.from({ length: NR }, () => [reqVer(r), reqMake(r)]);
  ok = check('gem requirements (@renovatebot/ruby-semver satisfies)', 'gem', pairs,
    (v, req) => String(ruby.satisfies(v, req)), true) && ok;
  return ok;
}

let ok = true;
ok = checkSemverLike(1128) && ok;
ok = checkRanges(2026) && ok;
ok = checkPep440(440) && ok;
ok = checkGem(1994) && ok;
process.exit(ok ? 0 : 1);

#!/usr/bin/env python3
"""tests/mutation/mutation_test.py: mutation testing of the capture reader and the decoders, in
the spirit of Wireshark's fuzz test (randpkt, editcap -E): every sample capture of samples/
and every file of tcpdump's test suite is damaged several times by mutate.py (packet bytes,
but also file, record and block headers, link types, byte orders, truncations, duplicated
and dropped records, gzip wrappers) and each mutant is read by the sanitizer build with
`fwsight analyze MUTANT --conn-log /dev/null` and `... --json --conn-log /dev/null`; for the
sample pairs and a few corpus pairs, two mutants are analysed together (`analyze A B`).

Each run must end with exit status 0, 1 (blocking found) or 2 (bad input), in time (the
timeout only guards against hangs), without a sanitizer report, with nothing on stderr but
lines starting with "fwsight: ", and with output to match its status:
  - status 2 comes with an error "fwsight: FILE: ..." naming a file analysed, whole (not
    ending in a space or a dangling word, as a message cut from its last part would);
  - status 0 or 1 comes with a report on stdout; --json output, when there is any (a read
    cut short still reports what came before), is valid JSON.
A failure prints the mutant's seed and operations, keeps the mutant under KEPT_DIR and prints
one command that rebuilds and re-runs it. The run is deterministic: every mutant's seed comes
from the run's seed, the file's name and the round.

    mutation_test.py FWSIGHT SAMPLES_DIR CORPUS_DIR KEPT_DIR
    FW_MUTATION_ROUNDS   mutants per file (default 2, which keeps CI's run near 5 minutes as
                         samples/ grows; 20 for a long hunt)
    FW_MUTATION_SEED     the run's seed (default 1; "random" picks and prints one)
    FW_MUTATION_JOBS     runs in parallel (default 2)
    FW_MUTATION_TIMEOUT  seconds before a run counts as hung (default 30)
Without CORPUS_DIR (the corpus lives in shared/ beside the repository) only samples/ is
mutated, and the summary says so."""
import collections
import concurrent.futures
import hashlib
import json
import os
import random
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mutate  # noqa: E402

SANITIZER = ('runtime error', 'Sanitizer', 'LeakSanitizer', 'AddressSanitizer')
CORPUS_PAIRS = 15  # corpus pairs per round, beside every samples/ pair
FULL_REPORTS = 20  # failures printed with their seed, kept file and command
MODES = {'text': ['--conn-log', '/dev/null'], 'json': ['--json', '--conn-log', '/dev/null']}
# The last words of an error message that lost its end.
DANGLING = ('the', 'of', 'a', 'an', 'after', 'at', 'in', 'for', 'to', 'with', 'and', ':')


def env_int(name, default):
    return int(os.environ.get(name, default))


def run_seed():
    text = os.environ.get('FW_MUTATION_SEED', '1')
    return random.SystemRandom().randrange(1 << 31) if text == 'random' else int(text)


def mutant_seed(seed, name, rnd):
    digest = hashlib.sha256(f'{seed}/{name}/{rnd}'.encode()).digest()
    return int.from_bytes(digest[:6], 'big')


class Mutant:
    """One damaged copy of one input file, written into the scratch directory."""

    def __init__(self, src, name, seed, scratch):
        self.src, self.seed, self.uses = src, seed, 0
        with open(src, 'rb') as f:
            data, self.notes = mutate.mutate(f.read(), seed)
        base = os.path.basename(src)
        self.path = os.path.join(scratch, f'{seed}-{base}')
        with open(self.path, 'wb') as f:
            f.write(data)

    def rebuild(self, out):
        return f'python3 {shlex.quote(mutate.__file__)} {shlex.quote(self.src)} {self.seed} ' \
               f'{shlex.quote(out)}'


def judge(rc, out, err, files, mode):
    """What is wrong with one run, or None."""
    if rc is None:
        return 'no result before the timeout (hang?)'
    if rc < 0:
        return f'killed by {signal.Signals(-rc).name}: {err[-600:]}'
    if rc not in (0, 1, 2):
        return f'exit status {rc}: {err[-600:]}'
    if any(s in err for s in SANITIZER):
        return 'sanitizer report: ' + ' | '.join(l for l in err.splitlines()
                                                   if any(s in l for s in SANITIZER))[:600]
    lines = err.splitlines()
    stray = [l for l in lines if not l.startswith('fwsight: ')]
    if stray:
        return f'stderr line without "fwsight: ": {stray[0][:200]!r}'
    errors = [l for l in lines if not l.startswith('fwsight: warning: ')]
    if rc == 2:
        named = [l for l in errors if any(l.startswith(f'fwsight: {f}: ') for f in files)]
        if not named:
            return f'exit status 2 without an error naming the file: {err[-300:]!r}'
        for l in named:
            if l != l.rstrip() or l.rstrip().split()[-1] in DANGLING:
                return f'error message cut short: {l!r}'
    elif not out.strip():
        return f'exit status {rc} without a report'
    if mode == 'json' and out.strip():
        try:
            json.loads(out)
        except ValueError as e:
            return f'--json output is not JSON ({e}): {out[:200]!r}'
    return None


def run_one(fwsight, mutants, mode, limit):
    files = [m.path for m in mutants]
    cmd = [fwsight, 'analyze', *files, *MODES[mode]]
    # Its own process group, so that the timeout ends everything it started.
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         start_new_session=True)
    try:
        out, err = p.communicate(timeout=limit)
        rc = p.returncode
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        p.communicate()
        rc, out, err = None, b'', b''
    out, err = out.decode(errors='replace'), err.decode(errors='replace')
    return rc, judge(rc, out, err, files, mode), cmd


def report_failure(mutants, mode, why, cmd, kept):
    os.makedirs(kept, exist_ok=True)
    lines = [f'FAIL {mode} ' + ' + '.join(m.src for m in mutants) + f': {why}']
    rebuild, argv = [], [cmd[0], 'analyze']
    for m in mutants:
        dest = os.path.join(kept, os.path.basename(m.path))
        shutil.copyfile(m.path, dest)
        lines.append(f'  mutant seed {m.seed} of {m.src}: {m.notes}')
        lines.append(f'  kept: {dest}')
        rebuild.append(m.rebuild(dest))
        argv.append(dest)
    argv += MODES[mode]
    lines.append('  reproduce: ' + ' && '.join(rebuild + [shlex.join(argv)]))
    return '\n'.join(lines)


def inputs(samples, corpus):
    found = sorted(os.path.join(d, f) for d, _, fs in os.walk(samples) for f in fs
                   if '.pcap' in f)
    corpus_files = []
    if os.path.isdir(corpus):
        corpus_files = sorted(os.path.join(corpus, f) for f in os.listdir(corpus)
                              if os.path.isfile(os.path.join(corpus, f)))
    return found, corpus_files


def sample_pairs(samples):
    """samples/*/source.pcap* with its target.pcap*: the two-capture path with real matches."""
    by_dir = collections.defaultdict(dict)
    for f in samples:
        side = os.path.basename(f).split('.')[0]
        by_dir[os.path.dirname(f)][side] = f
    return [(d['source'], d['target']) for _, d in sorted(by_dir.items())
            if 'source' in d and 'target' in d]


def plan(seed, rounds, samples, corpus, scratch, root):
    """Yields (mutants, mode) for every run, mutants built lazily one round at a time."""
    rel = lambda f: os.path.relpath(f, root)  # noqa: E731
    pairs = sample_pairs(samples)
    for rnd in range(rounds):
        for f in samples + corpus:
            m = Mutant(f, rel(f), mutant_seed(seed, rel(f), rnd), scratch)
            yield [m], 'text'
            yield [m], 'json'
        rng = random.Random(mutant_seed(seed, 'pairs', rnd))
        chosen = pairs + [tuple(rng.sample(corpus, 2)) for _ in range(CORPUS_PAIRS)
                          if len(corpus) >= 2]
        for i, (a, b) in enumerate(chosen):  # a file may be in two pairs: i tells them apart
            ma = Mutant(a, rel(a), mutant_seed(seed, f'pair{i}/{rel(a)}', rnd), scratch)
            mb = Mutant(b, rel(b), mutant_seed(seed, f'pair{i}/{rel(b)}', rnd), scratch)
            yield [ma, mb], rng.choice(['text', 'json'])


def main(argv):
    if len(argv) != 5:
        sys.stderr.write(__doc__.split('\n\n')[-1] + '\n')
        return 2
    fwsight, samples_dir, corpus_dir, kept = argv[1:]
    seed, rounds = run_seed(), env_int('FW_MUTATION_ROUNDS', 2)
    jobs, limit = env_int('FW_MUTATION_JOBS', 2), env_int('FW_MUTATION_TIMEOUT', 30)
    samples, corpus = inputs(samples_dir, corpus_dir)
    if not samples:
        print(f'FAIL: no capture found under {samples_dir}')
        return 1
    if not corpus:
        print(f'note: no corpus at {corpus_dir} (it lives in shared/corpus beside the '
              'repository): only samples/ is mutated')
    print(f'mutation: seed {seed}, {rounds} rounds (FW_MUTATION_SEED={seed} '
          f'FW_MUTATION_ROUNDS={rounds} to run these mutants again)', flush=True)
    shutil.rmtree(kept, ignore_errors=True)  # only this run's failures are kept
    root = os.path.dirname(os.path.abspath(samples_dir))
    status = collections.Counter()
    failures, made = [], collections.Counter()
    with tempfile.TemporaryDirectory(prefix='fw-mutation-') as scratch, \
            concurrent.futures.ThreadPoolExecutor(jobs) as pool:
        pending = collections.deque()

        def settle(fut, ms, mode):
            rc, why, cmd = fut.result()
            status['hang' if rc is None else rc] += 1
            if why:
                failures.append(report_failure(ms, mode, why, cmd, kept))
                # In full for the first few; a broken build fails every run.
                print(failures[-1] if len(failures) <= FULL_REPORTS else
                      failures[-1].split('\n')[0], flush=True)
            for m in ms:  # the mutant's last run removes it
                m.uses -= 1
                if m.uses == 0:
                    os.unlink(m.path)

        for ms, mode in plan(seed, rounds, samples, corpus, scratch, root):
            made['pairs'] += len(ms) == 2
            for m in ms:
                made['mutants'] += m.uses == 0
                m.uses += 1
            pending.append((pool.submit(run_one, fwsight, ms, mode, limit), ms, mode))
            while len(pending) > 4 * jobs:
                settle(*pending.popleft())
        while pending:
            settle(*pending.popleft())
    runs = sum(status.values())
    counts = ', '.join(f'exit {k}: {v}' for k, v in sorted(status.items(), key=str))
    print(f'mutation: {len(samples)} sample and {len(corpus)} corpus files, {made["mutants"]} '
          f'mutants, {runs} runs ({made["pairs"]} of two captures): {counts}; '
          f'{len(failures)} failures (seed {seed}, {rounds} rounds)')
    if failures:
        print(f'failing mutants kept in {kept}')
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))

# Koodi grading zygote. Runs as PID 1 of a bubblewrap sandbox, imports unittest once, and forks
# one child per job. The zygote never reads job content: the child reads the payload straight
# from the control stream, and the one buffer a job's output and results pass through is zeroed
# after every job, so nothing of one submission stays in memory a later child inherits. After
# every job the zygote also checks that the job changed nothing about it (zygote_state) and
# exits if it did, so that a fresh sandbox serves the next job.
#
# argv: the job seccomp filter as hex, then the slot index for the CPU pin ('-' for either: none).
#
# Control protocol (fd 0 in, fd 1 out, fd 2 diagnostics):
#   in:  u32 big-endian header length, header JSON (limits, payload size), then the payload JSON
#        (code, moduleName, testCode) which the forked child consumes.
#   out: frames of 1 kind byte + u32 big-endian length + data:
#        Y ready, O output bytes, R result event bytes (JSON lines), D job end JSON (with
#        zygoteChanged, the names of what differed, when the self-check failed).
import ctypes
import errno
import gc
import json
import linecache
import os
import resource
import select
import signal
import struct
import sys
import time
import traceback
import types
import unittest

CTL_IN = 0
CTL_OUT = 1
RESULT_FD = 3
CHUNK = 65536
PR_GET_DUMPABLE = 3
PR_SET_DUMPABLE = 4
PR_SET_SECCOMP = 22
PR_SET_NO_NEW_PRIVS = 38
SECCOMP_MODE_FILTER = 2
IOPRIO_WHO_PROCESS = 1
NR_IOPRIO_GET = {'x86_64': 252, 'aarch64': 31}

# kill_everything() sends SIGKILL to -1. Only as PID 1 of a PID namespace does that mean "every
# process of this sandbox"; anywhere else it means every process the uid may signal, on the host.
# Refuse to run at all outside that one place.
if os.getpid() != 1:
    sys.stderr.write('zygote.py must run as PID 1 of its own PID namespace (bwrap --as-pid-1); refusing to start\n')
    sys.stderr.flush()
    os._exit(78)

# If memory runs out despite the limits, the kernel should kill a sandbox, never the grader.
with open('/proc/self/oom_score_adj', 'w') as _f:
    _f.write('1000')

_libc = ctypes.CDLL(None, use_errno=True)
# Not dumpable: a job running under the same uid cannot ptrace us or open /proc/1/mem.
if _libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0:
    raise OSError(ctypes.get_errno(), 'prctl(PR_SET_DUMPABLE) failed')
# As PID 1 we only receive signals we handle; handle none so a job cannot signal us.
signal.signal(signal.SIGINT, signal.SIG_DFL)

# argv after -c: the job seccomp filter as hex ('-' for none), the slot's index for its CPU pin
# ('-' for none).
_job_filter_hex = sys.argv[1] if len(sys.argv) > 1 else '-'
_slot_index = sys.argv[2] if len(sys.argv) > 2 else '-'

if _slot_index != '-':
    # One CPU per slot (slots share CPUs round-robin when there are more slots than CPUs): a job
    # that keeps every process it may start busy only competes with the slots pinned beside it.
    _allowed = sorted(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {_allowed[int(_slot_index) % len(_allowed)]})


class _SockFprog(ctypes.Structure):
    _fields_ = [('len', ctypes.c_ushort), ('filter', ctypes.c_void_p)]


# Built once here, so the forked child only makes two prctl calls.
if _job_filter_hex != '-':
    _job_filter = ctypes.create_string_buffer(bytes.fromhex(_job_filter_hex))
    _job_fprog = _SockFprog(len(_job_filter.raw) // 8, ctypes.addressof(_job_filter))
else:
    _job_fprog = None

_buf = bytearray(CHUNK)
_view = memoryview(_buf)
_ZEROS = bytes(CHUNK)


def write_all(fd, *parts):
    for part in parts:
        mv = memoryview(part)
        while len(mv):
            n = os.write(fd, mv)
            mv = mv[n:]


def frame(kind, data):
    write_all(CTL_OUT, struct.pack('>cI', kind, len(data)), data)


def read_exact(fd, n):
    chunks = []
    while n > 0:
        b = os.read(fd, min(n, CHUNK))
        if not b:
            return None
        chunks.append(b)
        n -= len(b)
    return b''.join(chunks)


def kill_everything():
    # kill(-1) from PID 1 reaches every other process in the namespace: the job's child and any
    # daemon it left behind, whatever its session or process group. Checked again here (not only
    # at start-up) because from anywhere else it would reach the host's processes.
    if os.getpid() != 1:
        os._exit(78)
    while True:
        try:
            os.kill(-1, signal.SIGKILL)
        except ProcessLookupError:
            pass
        try:
            os.waitpid(-1, 0)
        except ChildProcessError:
            return


# ---------------------------------------------------------------- child side

class Runner:
    def __init__(self, module_name, main_pid):
        self.module_name = module_name
        self.filename = module_name + '.py'
        self.main_pid = main_pid

    def emit(self, event):
        if os.getpid() != self.main_pid:
            # A process the submission forked has fallen back into our code: end it quietly.
            os._exit(0)
        data = (json.dumps(event, ensure_ascii=True) + '\n').encode('ascii')
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except BaseException:
            pass
        write_all(RESULT_FD, data)

    def describe(self, exc):
        etype, value, tb = type(exc), exc, exc.__traceback__
        frames = [f for f in traceback.extract_tb(tb) if f.filename == self.filename]
        only = ''.join(traceback.format_exception_only(etype, value)).strip()
        info = {'type': etype.__name__}
        if isinstance(exc, AssertionError) and not frames:
            text = str(value) or 'AssertionError'
        elif frames:
            text = ('Traceback (most recent call last):\n'
                    + ''.join(traceback.StackSummary.from_list(frames).format()) + only)
            info['location'] = {'line': frames[-1].lineno}
        else:
            text = only
        if len(text) > 4000:
            text = text[:4000] + '\n[message truncated]'
        info['message'] = text
        info['detail'] = str(value)[:300]
        if isinstance(exc, MemoryError):
            info['memory'] = True
        if isinstance(exc, BlockingIOError) or (isinstance(exc, OSError) and exc.errno == errno.EAGAIN):
            info['processes'] = True
        if isinstance(exc, RecursionError):
            info['recursion'] = True
        return info

    def run(self, code, test_code):
        self.emit({'e': 'started'})
        name = self.module_name
        linecache.cache[self.filename] = (len(code), None, code.splitlines(True), self.filename)
        try:
            compiled = compile(code, self.filename, 'exec', dont_inherit=True)
        except SyntaxError as e:
            self.emit({'e': 'syntax_error', 'message': e.msg, 'line': e.lineno, 'column': e.offset})
            return
        except ValueError as e:
            self.emit({'e': 'syntax_error', 'message': str(e), 'line': None, 'column': None})
            return
        module = types.ModuleType(name)
        module.__file__ = self.filename
        sys.modules[name] = module
        self.emit({'e': 'importing'})
        try:
            exec(compiled, module.__dict__)
        except SystemExit as e:
            self.emit({'e': 'import_error', 'exit': True, 'code': repr(e.code)})
            return
        except BaseException as e:
            self.emit(dict(self.describe(e), e='import_error'))
            return
        self.emit({'e': 'imported'})

        tests_name = '_koodi_tests'
        tests = types.ModuleType(tests_name)
        tests.__file__ = 'tests.py'
        sys.modules[tests_name] = tests
        try:
            exec(compile(test_code, 'tests.py', 'exec', dont_inherit=True), tests.__dict__)
        except SyntaxError as e:
            self.emit({'e': 'tests_broken', 'message': 'tests.py: %s (line %s)' % (e.msg, e.lineno)})
            return
        except BaseException as e:
            self.emit(dict(self.describe(e), e='tests_unusable'))
            return
        suite = unittest.defaultTestLoader.loadTestsFromModule(tests)
        result = EventResult(self)
        suite.run(result)
        self.emit({'e': 'done', 'testsRun': result.testsRun})


class EventResult(unittest.TestResult):
    def __init__(self, runner):
        super().__init__()
        self.runner = runner

    @staticmethod
    def name_of(test):
        method = getattr(test, '_testMethodName', None)
        if method:
            return '%s.%s' % (type(test).__name__, method)
        return test.id().replace('_koodi_tests.', '')

    def send(self, test, outcome, err=None, message=''):
        event = {'e': 'test', 'name': self.name_of(test), 'outcome': outcome, 'message': message}
        if err is not None:
            event.update(self.runner.describe(err[1]))
            event['e'] = 'test'
            event['outcome'] = outcome
        self.runner.emit(event)

    def addSuccess(self, test):
        super().addSuccess(test)
        self.send(test, 'passed')

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self.send(test, 'failed', err)

    def addError(self, test, err):
        super().addError(test, err)
        self.send(test, 'error', err)

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self.send(test, 'skipped', message=str(reason))

    def addExpectedFailure(self, test, err):
        super().addExpectedFailure(test, err)
        self.send(test, 'passed')

    def addUnexpectedSuccess(self, test):
        super().addUnexpectedSuccess(test)
        self.send(test, 'failed', message='The test was expected to fail but passed.')

    def addSubTest(self, test, subtest, err):
        super().addSubTest(test, subtest, err)
        if err is not None:
            event = dict(self.runner.describe(err[1]))
            event.update(e='test', name=self.name_of(test) + ' ' + subtest._subDescription(),
                         outcome='failed' if issubclass(err[0], test.failureException) else 'error')
            self.runner.emit(event)


def child_main(header, stdin_r, out_w, res_w):
    code = 0
    try:
        gc.enable()
        os.setpgid(0, 0)
        payload = read_exact(CTL_IN, header['payloadBytes'])
        os.dup2(stdin_r, 0)
        os.dup2(out_w, 1)
        os.dup2(out_w, 2)
        os.dup2(res_w, RESULT_FD)
        os.closerange(RESULT_FD + 1, 65536)
        job = json.loads(payload)
        del payload
        limits = header['limits']
        cpu = int(limits['cpuSeconds'])
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
        resource.setrlimit(resource.RLIMIT_AS, (limits['memoryBytes'], limits['memoryBytes']))
        resource.setrlimit(resource.RLIMIT_FSIZE, (limits['fileBytes'], limits['fileBytes']))
        resource.setrlimit(resource.RLIMIT_NPROC, (limits['processes'], limits['processes']))
        resource.setrlimit(resource.RLIMIT_NOFILE, (limits['openFiles'], limits['openFiles']))
        os.chdir('/tmp')
        sys.argv = [job['moduleName'] + '.py']
        sys.stdout.reconfigure(encoding='utf-8', errors='backslashreplace', line_buffering=True)
        sys.stderr.reconfigure(encoding='utf-8', errors='backslashreplace', line_buffering=True)
        runner = Runner(job['moduleName'], os.getpid())
        runner.run(job['code'], job['testCode'])
    except BaseException:
        code = 70
        try:
            os.write(2, traceback.format_exc().encode('utf-8', 'backslashreplace')[-2000:])
        except BaseException:
            pass
    finally:
        os._exit(code)


# ---------------------------------------------------------------- zygote side

_RLIMITS = [(name, getattr(resource, name)) for name in dir(resource) if name.startswith('RLIMIT_')]


def _read_text(path):
    # os.open/os.read, not open(): this runs after every job and the io stack costs more than the read.
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError as e:
        return 'unreadable: %s' % e.strerror
    try:
        return os.read(fd, 65536).decode('ascii', 'replace')
    finally:
        os.close(fd)


def _sysv_objects(kind):
    # Every line after the header is one object of this IPC namespace.
    text = _read_text('/proc/sysvipc/' + kind)
    return text if text.startswith('unreadable') else len(text.splitlines()) - 1


def _ioprio():
    nr = NR_IOPRIO_GET.get(os.uname().machine)
    return None if nr is None else _libc.syscall(nr, IOPRIO_WHO_PROCESS, 0)


def zygote_state():
    """What a job must not be able to change about us: compared after every job."""
    state = {name: resource.getrlimit(limit) for name, limit in _RLIMITS}
    state['nice'] = os.getpriority(os.PRIO_PROCESS, 0)
    state['policy'] = os.sched_getscheduler(0)
    state['rtPriority'] = os.sched_getparam(0).sched_priority
    state['affinity'] = sorted(os.sched_getaffinity(0))
    state['ioprio'] = _ioprio()
    state['autogroup'] = _read_text('/proc/self/autogroup')
    state['oomScoreAdj'] = _read_text('/proc/self/oom_score_adj')
    state['dumpable'] = _libc.prctl(PR_GET_DUMPABLE, 0, 0, 0, 0)
    for kind in ('shm', 'sem', 'msg'):
        state['sysv_' + kind] = _sysv_objects(kind)
    return state


def install_job_filter():
    """In the forked child, before any job code: the job filter on top of the sandbox one."""
    if _job_fprog is None:
        return
    if (_libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0
            or _libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(_job_fprog), 0, 0) != 0):
        os.write(2, b'could not install the job seccomp filter\n')
        os._exit(71)


def relay(fd, stream):
    """Forwards what fd holds as one frame. Returns the bytes read, 0 at EOF, -1 if none now."""
    kind, count, cap = stream
    try:
        n = os.readv(fd, [_buf])
    except BlockingIOError:
        return -1
    if n > 0:
        room = max(0, cap - count)
        if room:
            frame(kind, _view[:min(n, room)])
        stream[1] = count + n
    return n


def run_job(header):
    limits = header['limits']
    stdin_r, stdin_w = os.pipe()
    out_r, out_w = os.pipe()
    res_r, res_w = os.pipe()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    # Frozen objects are never traversed by the child's collector, so they stay shared with us
    # instead of being copied page by page: this halves the cost of a small job.
    gc.freeze()
    pid = os.fork()
    if pid == 0:
        os.close(stdin_w)
        os.close(out_r)
        os.close(res_r)
        install_job_filter()
        child_main(header, stdin_r, out_w, res_w)
    os.close(stdin_r)
    os.close(out_w)
    os.close(res_w)
    pidfd = os.pidfd_open(pid)
    streams = {out_r: [b'O', 0, limits['outputBytes']], res_r: [b'R', 0, limits['resultBytes']]}
    for fd in streams:
        os.set_blocking(fd, False)
    poller = select.poll()
    for fd in (out_r, res_r, pidfd):
        poller.register(fd, select.POLLIN)
    deadline = started + limits['wallMs'] / 1000.0

    def over_cap():
        for kind, count, cap in streams.values():
            if count > cap:
                return 'output' if kind == b'O' else 'result'
        return None

    killed = None
    exited = False
    while not exited and killed is None:
        left = deadline - time.monotonic()
        if left <= 0:
            killed = 'wall'
            break
        for fd, _ in poller.poll(max(1, int(left * 1000) + 1)):
            if fd == pidfd:
                exited = True
                continue
            if relay(fd, streams[fd]) == 0:
                poller.unregister(fd)
            killed = killed or over_cap()
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    _, status, usage = os.wait4(pid, 0)
    wall_ms = (time.monotonic() - started) * 1000.0
    kill_everything()
    # No process is left to write, so what the pipes hold now is all they will ever hold: read
    # until they are empty, never until EOF. A write end can outlive every process (in flight in
    # an SCM_RIGHTS cycle of unix sockets), and EOF would then never come.
    for fd, stream in streams.items():
        while relay(fd, stream) > 0:
            pass
    killed = killed or over_cap()
    for fd in (stdin_w, out_r, res_r, pidfd):
        os.close(fd)
    # The next child inherits this buffer: it must not find this job's bytes in it.
    _view[:] = _ZEROS
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    end = {
        'exitCode': os.WEXITSTATUS(status) if os.WIFEXITED(status) else None,
        'signal': os.WTERMSIG(status) if os.WIFSIGNALED(status) else None,
        'cpuSeconds': usage.ru_utime + usage.ru_stime,
        # Every process of the job, waited for or not: orphans are reaped by us (PID 1) above.
        'allCpuSeconds': (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
        'maxRssKb': usage.ru_maxrss,
        'wallMs': wall_ms,
        'outputBytes': streams[out_r][1],
        'killed': killed,
    }
    changed = sorted(k for k, v in zygote_state().items() if START_STATE.get(k) != v)
    if changed:
        end['zygoteChanged'] = changed
    frame(b'D', json.dumps(end).encode('ascii'))
    return not changed


def main():
    gc.disable()
    frame(b'Y', json.dumps({'python': sys.version.split()[0]}).encode('ascii'))
    while True:
        size = read_exact(CTL_IN, 4)
        if size is None:
            return
        raw = read_exact(CTL_IN, struct.unpack('>I', size)[0])
        if raw is None:
            return
        if not run_job(json.loads(raw)):
            # A job changed this process; a fresh sandbox serves the next one.
            return


START_STATE = zygote_state()
main()

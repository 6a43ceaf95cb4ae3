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
#   in:  u32 big-endian header length, header JSON (kind, limits, payloadBytes, codeBytes), then
#        the payload, which the forked child consumes: codeBytes of JSON (code, moduleName, and the
#        job's stdin when it has one), then for kind 'function' (the default) the tests as UTF-8,
#        read only once the student process has been forked (see child side), for kind 'program'
#        JSON {cases: [{name, stdin}]} (see program side: expected outputs never enter the sandbox).
#   out: frames of 1 kind byte + u32 big-endian length + data:
#        Y ready, O output bytes, R result event bytes (JSON lines), D job end JSON (with
#        zygoteChanged, the names of what differed, when the self-check failed).
import builtins
import binascii
import ctypes
import errno
import gc
import json
import linecache
import operator
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
#
# A job runs as two processes. The runner (the zygote's child) holds the result pipe, unittest
# and the tests. The student process, forked by the runner *before* the runner reads the tests,
# holds the submission and nothing else: test code never enters its memory, it has no fd of the
# runner, and the runner is not dumpable, so it cannot be read through /proc or ptrace. Values
# cross two pipes as plain data: builtin types only, and a subclass arrives as its builtin value.
# Anything else stays where it lives and the other side gets a proxy; a proxy of a student
# object is equal only to itself, so no object of the submission can make a comparison pass.
# Test objects handed to the submission (callbacks, sequences, mocks) reach it the same way.
#
# Channel messages: u32 big-endian length + UTF-8 JSON.
#   ['q', op, handle, args, kwargs]   request (see Channel.perform)
#   ['r', value, mutations]            reply
#   ['x', exception, mutations]        the request raised
#   ['g']                              runner -> student once the tests are read: import now
#   ['i', 'imported', module]          student -> runner once: the module, or
#   ['i', 'error', exception]          why importing it failed
# Values: None/bool/int/float/str as JSON; everything else a list tagged by its first item:
#   L list, T tuple, D dict (flat key/value), S set, F frozenset, B bytes, A bytearray (latin-1),
#   C complex, G range, Z slice, I big int (hex), M alias of an object earlier in the message,
#   Y an object the receiver sent in the request being answered, R an object living with the
#   sender (a proxy for the receiver), H an object living with the receiver, b a builtin
#   exception class, K an exception class of the submission (the runner builds a stand-in).
# `mutations` carries the new contents of lists, dicts, sets and bytearrays of the request that
# the callee changed, so that `items.pop()` on an argument changes the caller's list as it would
# in one process, and `Y` keeps identity for arguments handed back.

STUDENT_RPC_IN = 3
STUDENT_RPC_OUT = 4
RUNNER_RPC_IN = 7
RUNNER_RPC_OUT = 6
MAX_MESSAGE = 64 << 20
_BIG = 1 << 53
_u32 = struct.Struct('>I')
_dumps = json.JSONEncoder(ensure_ascii=False, check_circular=False, separators=(',', ':')).encode
_loads = json.loads
_builtins_dict = builtins.__dict__


class ChannelClosed(Exception):
    """The other process went away or broke the protocol."""


class ProtocolError(Exception):
    pass


class RemoteObject:
    """An object living in the other process. Every operation is a request."""

    __slots__ = ('_k_channel', '_k_handle', '__weakref__')

    def __getattr__(self, name):
        return self._k_channel.request('getattr', self, name)

    def __setattr__(self, name, value):
        self._k_channel.request('setattr', self, name, value)

    def __delattr__(self, name):
        self._k_channel.request('delattr', self, name)

    def __call__(self, *args, **kwargs):
        return self._k_channel.request_call(self, args, kwargs)

    def __len__(self):
        return self._k_channel.request('len', self)

    def __iter__(self):
        return self._k_channel.request('iter', self)

    def __next__(self):
        return self._k_channel.request('next', self)

    def __getitem__(self, key):
        return self._k_channel.request('getitem', self, key)

    def __setitem__(self, key, value):
        self._k_channel.request('setitem', self, key, value)

    def __delitem__(self, key):
        self._k_channel.request('delitem', self, key)

    def __contains__(self, item):
        return self._k_channel.request('contains', self, item)

    def __bool__(self):
        return self._k_channel.request('bool', self)

    def __str__(self):
        return self._k_channel.request('str', self)

    def __repr__(self):
        return self._k_channel.request('repr', self)


class RunnerObject(RemoteObject):
    """In the student process: an object of the tests. Comparisons are the tests' own."""

    __slots__ = ()

    def __eq__(self, other):
        return self._k_channel.request('eq', self, other)

    def __ne__(self, other):
        return self._k_channel.request('ne', self, other)

    def __lt__(self, other):
        return self._k_channel.request('lt', self, other)

    def __le__(self, other):
        return self._k_channel.request('le', self, other)

    def __gt__(self, other):
        return self._k_channel.request('gt', self, other)

    def __ge__(self, other):
        return self._k_channel.request('ge', self, other)

    def __hash__(self):
        return self._k_channel.request('hash', self)


class StudentObject(RemoteObject):
    """In the runner: an object of the submission. It equals only itself and orders with nothing."""

    __slots__ = ()

    def __eq__(self, other):
        return self is other

    def __ne__(self, other):
        return self is not other

    __hash__ = object.__hash__

    def __instancecheck__(self, instance):
        return self._k_channel.request('isinstance', self, instance) is True

    def __subclasscheck__(self, subclass):
        return self._k_channel.request('issubclass', self, subclass) is True

    def __mro_entries__(self, bases):
        split_limit('subclass')
        raise TypeError('the tests cannot subclass a class of the submission: it lives in a separate process')


class StudentModule(types.ModuleType):
    """In the runner: the submission's module as the tests import it."""

    def __getattr__(self, name):
        if name.startswith('__') and name.endswith('__'):
            if name == '__all__':
                return self.__dict__['_k_channel'].request('names', self.__dict__['_k_target'])
            raise AttributeError(name)
        return self.__dict__['_k_channel'].request('getattr', self.__dict__['_k_target'], name)

    def __setattr__(self, name, value):
        if name.startswith('__') and name.endswith('__'):
            types.ModuleType.__setattr__(self, name, value)
        else:
            self.__dict__['_k_channel'].request('setattr', self.__dict__['_k_target'], name, value)

    def __delattr__(self, name):
        if name.startswith('__') and name.endswith('__'):
            types.ModuleType.__delattr__(self, name)
        else:
            self.__dict__['_k_channel'].request('delattr', self.__dict__['_k_target'], name)


# Set by the runner: reports a use of the tests that the split into two processes cannot serve
# faithfully, so that the content validator can name it (an event, never a verdict).
split_limit = lambda what: None


def _exception_str(self):
    return self.__dict__.get('_k_str', '')


def _mutable_snapshot(obj):
    t = type(obj)
    if t is list:
        return obj[:]
    if t is dict:
        return list(obj.items())
    if t is set:
        return set(obj)
    return bytes(obj)


def _changed(obj, snap):
    t = type(obj)
    if t is list:
        if len(obj) != len(snap):
            return True
        for a, b in zip(obj, snap):
            if a is not b:
                return True
        return False
    if t is dict:
        if len(obj) != len(snap):
            return True
        for (a, b), (c, d) in zip(obj.items(), snap):
            if a is not c or b is not d:
                return True
        return False
    return obj != snap


_PASS_PLAIN = (str, int, float, list, tuple, dict, set, frozenset, bytes, bytearray)
_SERVED_TO_STUDENT = frozenset(
    ['getattr', 'setattr', 'delattr', 'call', 'len', 'iter', 'next', 'getitem', 'setitem', 'delitem',
     'contains', 'bool', 'str', 'repr', 'eq', 'ne', 'lt', 'le', 'gt', 'ge', 'hash'])
_OPERATORS = {
    'len': len, 'iter': iter, 'next': next, 'getitem': operator.getitem, 'setitem': operator.setitem,
    'delitem': operator.delitem, 'contains': operator.contains, 'bool': bool, 'str': str,
    'repr': repr, 'eq': operator.eq, 'ne': operator.ne, 'lt': operator.lt, 'le': operator.le,
    'gt': operator.gt, 'ge': operator.ge, 'hash': hash, 'getattr': getattr, 'setattr': setattr,
    'delattr': delattr, 'isinstance': lambda cls, obj: isinstance(obj, cls),
    'issubclass': lambda cls, sub: issubclass(sub, cls),
}


class Channel:
    """One end of the runner/student connection; both ends serve requests while they wait."""

    def __init__(self, fd_in, fd_out, trusted, module_file):
        self.fd_in = fd_in
        self.fd_out = fd_out
        # trusted: this is the runner. It receives only plain data, serves only a narrow set of
        # operations on its objects, and builds stand-ins for the submission's exception classes.
        self.trusted = trusted
        self.module_file = module_file
        self.proxy_type = StudentObject if trusted else RunnerObject
        self.exports = {}
        self.export_ids = {}
        self.next_handle = 1
        self.proxies = {}
        self.classes = {}
        self.pid = os.getpid()
        self.broken = None
        self.patches = []
        self.student_builtins = None
        # Called when the other process is gone; never returns.
        self.on_closed = None

    # ------------------------------------------------------------ transport

    def send(self, message):
        if os.getpid() != self.pid:
            # A process the submission forked has fallen back into our code: end it quietly.
            os._exit(0)
        data = _dumps(message).encode('utf-8', 'surrogatepass')
        write_all(self.fd_out, _u32.pack(len(data)), data)

    def receive(self):
        head = read_exact(self.fd_in, 4)
        if head is None:
            self.closed()
        size = _u32.unpack(head)[0]
        if size > MAX_MESSAGE:
            raise ProtocolError('a message of %d bytes is over the limit' % size)
        data = read_exact(self.fd_in, size)
        if data is None:
            self.closed()
        try:
            message = _loads(data.decode('utf-8', 'surrogatepass'))
        except (ValueError, RecursionError) as e:
            raise ProtocolError('unreadable message: %s' % e) from None
        if type(message) is not list or not message or type(message[0]) is not str:
            raise ProtocolError('malformed message')
        return message

    def closed(self):
        # unittest catches every exception a test raises, so the end of the other process is not
        # an exception: the hook ends this process.
        if self.on_closed is not None:
            self.on_closed()
        raise ChannelClosed('the other process ended')

    # ------------------------------------------------------------ values

    def export(self, obj):
        handle = self.export_ids.get(id(obj))
        if handle is None:
            handle = self.next_handle
            self.next_handle += 1
            self.exports[handle] = obj
            self.export_ids[id(obj)] = handle
        return handle

    def proxy(self, handle):
        if type(handle) is not int:
            raise ProtocolError('bad handle')
        proxy = self.proxies.get(handle)
        if proxy is None:
            proxy = object.__new__(self.proxy_type)
            object.__setattr__(proxy, '_k_channel', self)
            object.__setattr__(proxy, '_k_handle', handle)
            self.proxies[handle] = proxy
        return proxy

    def enc(self, v, memo, yours):
        t = type(v)
        if t is str or t is float or t is bool or v is None:
            return v
        if t is int:
            return v if -_BIG < v < _BIG else ['I', format(v, 'x')]
        if t is self.proxy_type and v._k_channel is self:
            return ['H', v._k_handle]
        if t is StudentModule and v.__dict__.get('_k_channel') is self:
            return ['H', v.__dict__['_k_target']._k_handle]
        if t is tuple:
            return ['T'] + [self.enc(x, memo, yours) for x in v]
        if t is list or t is dict or t is set or t is bytearray:
            key = id(v)
            if yours:
                theirs = yours.get(key)
                if theirs is not None:
                    return ['Y', theirs]
            seen = memo.get(key)
            if seen is not None:
                return ['M', seen[0]]
            n = len(memo)
            memo[key] = (n, v)
            if t is list:
                return ['L', n] + [self.enc(x, memo, yours) for x in v]
            if t is dict:
                out = ['D', n]
                for k, x in v.items():
                    out.append(self.enc(k, memo, yours))
                    out.append(self.enc(x, memo, yours))
                return out
            if t is set:
                return ['S', n] + [self.enc(x, memo, yours) for x in v]
            return ['A', n, v.decode('latin-1')]
        if t is frozenset:
            return ['F'] + [self.enc(x, memo, yours) for x in v]
        if t is bytes:
            return ['B', v.decode('latin-1')]
        if t is complex:
            return ['C', v.real, v.imag]
        if t is range:
            return ['G', v.start, v.stop, v.step]
        if t is slice:
            return ['Z', self.enc(v.start, memo, yours), self.enc(v.stop, memo, yours), self.enc(v.step, memo, yours)]
        if not self.trusted:
            # The submission's values: a subclass of a builtin type crosses as its builtin value.
            if isinstance(v, _PASS_PLAIN):
                return self.enc(self.plain(v), memo, yours)
            if isinstance(v, type) and issubclass(v, BaseException):
                return self.exception_class(v)
        elif t is type and issubclass(v, BaseException) and _builtins_dict.get(v.__name__) is v:
            return ['b', v.__name__]
        return ['R', self.export(v)]

    @staticmethod
    def plain(v):
        if isinstance(v, str):
            return str.__str__(v)
        if isinstance(v, bool):
            return bool(v)
        if isinstance(v, int):
            return int.__int__(v)
        if isinstance(v, float):
            return float.__float__(v)
        if isinstance(v, list):
            return list.copy(v)
        if isinstance(v, tuple):
            return tuple(list(tuple.__iter__(v)))
        if isinstance(v, dict):
            return dict.copy(v)
        if isinstance(v, set):
            return set.copy(v)
        if isinstance(v, frozenset):
            return frozenset(set(frozenset.__iter__(v)))
        if isinstance(v, bytearray):
            return bytearray.copy(v)
        return bytes(memoryview(v))

    def exception_class(self, cls):
        if cls.__module__ == 'builtins' and _builtins_dict.get(cls.__name__) is cls:
            return ['b', cls.__name__]
        bases = [self.exception_class(b) for b in cls.__bases__ if isinstance(b, type) and issubclass(b, BaseException)]
        return ['K', self.export(cls), str.__str__(str(cls.__name__))[:100]] + bases

    def dec(self, x, sent, got):
        t = type(x)
        if t is not list:
            if t is dict:
                raise ProtocolError('malformed value')
            return x
        if not x:
            raise ProtocolError('malformed value')
        tag = x[0]
        if tag == 'L' or tag == 'D' or tag == 'S' or tag == 'A':
            n = x[1]
            if type(n) is not int or n in got:
                raise ProtocolError('malformed value')
            if tag == 'L':
                out = []
                got[n] = out
                out.extend([self.dec(i, sent, got) for i in x[2:]])
            elif tag == 'D':
                out = {}
                got[n] = out
                items = x[2:]
                if len(items) % 2:
                    raise ProtocolError('malformed dict')
                for i in range(0, len(items), 2):
                    out[self.dec(items[i], sent, got)] = self.dec(items[i + 1], sent, got)
            elif tag == 'S':
                out = set()
                got[n] = out
                out.update([self.dec(i, sent, got) for i in x[2:]])
            else:
                out = bytearray(self.latin1(x, 2))
                got[n] = out
            return out
        if tag == 'T':
            return tuple([self.dec(i, sent, got) for i in x[1:]])
        if tag == 'M':
            try:
                return got[x[1]]
            except (KeyError, IndexError, TypeError):
                raise ProtocolError('bad alias') from None
        if tag == 'Y':
            try:
                return sent[x[1]]
            except (KeyError, IndexError, TypeError):
                raise ProtocolError('bad reference') from None
        if tag == 'R':
            return self.proxy(x[1] if len(x) == 2 else None)
        if tag == 'H':
            try:
                return self.exports[x[1]]
            except (KeyError, IndexError, TypeError):
                raise ProtocolError('bad handle') from None
        if tag == 'F':
            return frozenset([self.dec(i, sent, got) for i in x[1:]])
        if tag == 'B':
            return self.latin1(x, 1)
        if tag == 'I':
            if len(x) != 2 or type(x[1]) is not str or len(x[1]) > 100000:
                raise ProtocolError('bad int')
            return int(x[1], 16)
        if tag == 'C':
            if len(x) != 3 or type(x[1]) is not float or type(x[2]) is not float:
                raise ProtocolError('bad complex')
            return complex(x[1], x[2])
        if tag == 'G':
            if len(x) != 4 or not all(type(i) is int for i in x[1:]) or x[3] == 0:
                raise ProtocolError('bad range')
            return range(x[1], x[2], x[3])
        if tag == 'Z':
            if len(x) != 4:
                raise ProtocolError('bad slice')
            return slice(self.dec(x[1], sent, got), self.dec(x[2], sent, got), self.dec(x[3], sent, got))
        if tag == 'b' or tag == 'K':
            return self.dec_exception_class(x)
        raise ProtocolError('unknown tag')

    @staticmethod
    def latin1(x, i):
        if len(x) != i + 1 or type(x[i]) is not str:
            raise ProtocolError('bad bytes')
        try:
            return x[i].encode('latin-1')
        except UnicodeEncodeError:
            raise ProtocolError('bad bytes') from None

    def dec_exception_class(self, x):
        if x[0] == 'b':
            cls = _builtins_dict.get(x[1]) if len(x) == 2 and type(x[1]) is str else None
            if not (isinstance(cls, type) and issubclass(cls, BaseException)):
                raise ProtocolError('bad exception class')
            if self.trusted and not issubclass(cls, Exception) and cls is not SystemExit:
                # KeyboardInterrupt and friends would end the runner, not a test.
                return self.stand_in(('b', x[1]), x[1], (Exception,))
            return cls
        if not self.trusted:
            raise ProtocolError('unexpected exception class')
        if len(x) < 3 or type(x[1]) is not int or type(x[2]) is not str:
            raise ProtocolError('bad exception class')
        cached = self.classes.get(x[1])
        if cached is not None:
            return cached
        bases = tuple([self.dec_exception_class(b) for b in x[3:] if type(b) is list and b])
        return self.stand_in(x[1], x[2], bases or (Exception,))

    def stand_in(self, key, name, bases):
        """A class of the runner standing in for an exception class of the submission."""
        cached = self.classes.get(key)
        if cached is not None:
            return cached
        body = {'__module__': self.module_file[:-3], '__str__': _exception_str}
        try:
            cls = type(name, bases, body)
        except TypeError:
            cls = type(name, bases[:1], body)
        self.classes[key] = cls
        return cls

    # ------------------------------------------------------------ exceptions

    def enc_exception(self, e, yours):
        memo = {}
        origin = None
        if self.trusted:
            cls = ['b', type(e).__name__] if _builtins_dict.get(type(e).__name__) is type(e) else None
            if cls is None:
                for base in type(e).__mro__:
                    if _builtins_dict.get(base.__name__) is base:
                        cls = ['b', base.__name__]
                        break
            origin = self.export(e)
            text = str(e)
            frames = []
        else:
            cls = self.exception_class(type(e))
            got = getattr(e, '__dict__', None)
            origin = got.get('_k_origin') if type(got) is dict else None
            try:
                text = str(e)
                text = str.__str__(text) if isinstance(text, str) else ''
            except BaseException:
                text = ''
            frames = [[f.lineno, f.name, f.line] for f in traceback.extract_tb(e.__traceback__)
                      if f.filename == self.module_file]
        try:
            args = self.enc(tuple(e.args), memo, yours)
        except BaseException:
            args = ['T']
        info = {'c': cls, 'a': args, 's': text[:4000], 'f': frames[-50:], 'o': origin}
        if isinstance(e, SystemExit):
            try:
                info['code'] = repr(e.code)[:200]
            except BaseException:
                info['code'] = '?'
        return info

    def dec_exception(self, info, sent, got):
        if type(info) is not dict:
            raise ProtocolError('malformed exception')
        origin = info.get('o')
        if self.trusted and type(origin) is int:
            original = self.exports.get(origin)
            if isinstance(original, BaseException):
                frames = info.get('f')
                if frames:
                    original.__dict__['_k_frames'] = self.frames(frames)
                return original
        cls = self.dec_exception_class(info.get('c') or ['b', 'Exception'])
        args = self.dec(info.get('a', ['T']), sent, got)
        if type(args) is not tuple:
            args = ()
        try:
            e = cls(*args)
        except BaseException:
            try:
                e = cls.__new__(cls)
                e.args = args
            except BaseException:
                # Some classes cannot be built from what was sent (ExceptionGroup needs its
                # exceptions): a stand-in of the same name carries the text.
                e = self.stand_in(('b', cls.__name__, 'fallback'), cls.__name__, (Exception,))()
        text = info.get('s')
        e.__dict__['_k_str'] = text if type(text) is str else ''
        if self.trusted:
            e.__dict__['_k_frames'] = self.frames(info.get('f'))
            if 'code' in info:
                e.__dict__['_k_code'] = str(info['code'])
        elif type(origin) is int:
            e.__dict__['_k_origin'] = origin
        return e

    def frames(self, frames):
        out = []
        if type(frames) is list:
            for f in frames[-50:]:
                if type(f) is list and len(f) == 3 and type(f[0]) is int:
                    out.append((self.module_file, f[0], str(f[1])[:200], str(f[2] or '')[:500]))
        return out

    # ------------------------------------------------------------ requests

    def request(self, op, target, *args):
        return self.exchange(op, target, args, None)

    def request_call(self, target, args, kwargs):
        return self.exchange('call', target, args, kwargs)

    def exchange(self, op, target, args, kwargs):
        if self.broken:
            raise RuntimeError(self.broken)
        memo = {}
        handle = target._k_handle
        encoded = ['q', op, handle, self.enc(args, memo, None), self.enc(kwargs or {}, memo, None) if kwargs else None]
        sent = {n: obj for n, obj in memo.values()}
        self.send(encoded)
        while True:
            try:
                message = self.receive()
                kind = message[0]
                if kind == 'q':
                    self.serve(message)
                    continue
                if kind not in ('r', 'x') or len(message) != 3:
                    raise ProtocolError('unexpected message')
                got = {}
                if kind == 'r':
                    value = self.dec(message[1], sent, got)
                else:
                    value = self.dec_exception(message[1], sent, got)
                self.apply_mutations(message[2], sent, got)
            except ProtocolError as e:
                self.broken = 'the submission broke its connection to the tests (%s)' % e
                raise RuntimeError(self.broken) from None
            except RecursionError:
                self.broken = 'the submission sent a value nested too deeply'
                raise RuntimeError(self.broken) from None
            if kind == 'r':
                return value
            raise value

    def apply_mutations(self, mutations, sent, got):
        if mutations is None:
            return
        if type(mutations) is not list:
            raise ProtocolError('malformed mutations')
        for entry in mutations:
            if type(entry) is not list or len(entry) != 2 or type(entry[1]) is not list:
                raise ProtocolError('malformed mutation')
            obj = sent.get(entry[0]) if type(entry[0]) is int else None
            if obj is None:
                raise ProtocolError('bad mutation target')
            items = [self.dec(i, sent, got) for i in entry[1]]
            t = type(obj)
            if t is list:
                obj[:] = items
            elif t is dict:
                if len(items) % 2:
                    raise ProtocolError('malformed dict')
                obj.clear()
                for i in range(0, len(items), 2):
                    obj[items[i]] = items[i + 1]
            elif t is set:
                obj.clear()
                obj.update(items)
            elif len(items) == 1 and type(items[0]) is bytes:
                obj[:] = items[0]
            else:
                raise ProtocolError('malformed mutation')

    def serve(self, message):
        """Performs a request of the other side and answers it."""
        got = {}
        yours = None
        snaps = None
        try:
            if len(message) != 5:
                raise ProtocolError('malformed request')
            _, op, handle, args, kwargs = message
            args = self.dec(args, {}, got)
            kwargs = self.dec(kwargs, {}, got) if kwargs is not None else {}
            if type(args) is not tuple or type(kwargs) is not dict:
                raise ProtocolError('malformed request')
            if got:
                yours = {}
                snaps = {}
                for n, obj in got.items():
                    yours[id(obj)] = n
                    snaps[n] = _mutable_snapshot(obj)
            value = self.perform(op, handle, args, kwargs)
            reply = ['r', None, None]
            reply[1] = self.enc(value, {}, yours)
        except ProtocolError as e:
            if self.trusted:
                self.broken = 'the submission broke its connection to the tests (%s)' % e
                raise
            reply = ['x', self.enc_exception(e, None), None]
        except BaseException as e:
            if not self.trusted:
                flush_output()
            reply = ['x', self.enc_exception(e, yours), None]
        if snaps:
            mutations = []
            for n, obj in got.items():
                if n in snaps and _changed(obj, snaps[n]):
                    t = type(obj)
                    memo = {}
                    if t is list or t is set:
                        items = [self.enc(i, memo, yours) for i in obj]
                    elif t is dict:
                        items = []
                        for k, x in obj.items():
                            items.append(self.enc(k, memo, yours))
                            items.append(self.enc(x, memo, yours))
                    else:
                        items = [['B', bytes(obj).decode('latin-1')]]
                    mutations.append([n, items])
            if mutations:
                reply[2] = mutations
        if not self.trusted:
            flush_output()
        self.send(reply)

    def perform(self, op, handle, args, kwargs):
        if type(op) is not str or type(handle) is not int:
            raise ProtocolError('malformed request')
        if self.trusted:
            if op not in _SERVED_TO_STUDENT:
                raise ProtocolError('operation %r is not offered' % op)
            if op in ('getattr', 'setattr', 'delattr') and (
                    not args or type(args[0]) is not str or args[0].startswith('_')):
                # Public attributes only: no way from a test object to its class, module, globals.
                raise AttributeError('the tests do not share this attribute')
        elif op in ('patch', 'unpatch', 'import'):
            return self.perform_patch(op, args)
        if handle not in self.exports:
            raise ProtocolError('bad handle')
        target = self.exports[handle]
        if op == 'call':
            return target(*args, **kwargs)
        if op == 'names':
            names = getattr(target, '__all__', None)
            if names is None:
                names = [n for n in target.__dict__ if not n.startswith('_')]
            return list(names)
        fn = _OPERATORS.get(op)
        if fn is None:
            raise ProtocolError('unknown operation')
        return fn(target, *args)

    # ------------------------------------------------------------ patches

    def perform_patch(self, op, args):
        """Student side: the tests patched a module attribute (mock.patch); mirror it here."""
        if op == 'patch':
            name, attr, value = args
            if name == 'builtins':
                space = self.student_builtins
                had = attr in space
                self.patches.append((name, attr, had, space.get(attr)))
                space[attr] = value
            else:
                __import__(name)
                module = sys.modules[name]
                had = hasattr(module, attr)
                self.patches.append((name, attr, had, getattr(module, attr, None)))
                setattr(module, attr, value)
            return None
        name, attr = args
        for i in range(len(self.patches) - 1, -1, -1):
            p_name, p_attr, had, old = self.patches[i]
            if p_name == name and p_attr == attr:
                del self.patches[i]
                space = self.student_builtins if name == 'builtins' else None
                if space is not None:
                    if had:
                        space[attr] = old
                    else:
                        space.pop(attr, None)
                else:
                    module = sys.modules.get(name)
                    if module is not None:
                        if had:
                            setattr(module, attr, old)
                        else:
                            try:
                                delattr(module, attr)
                            except AttributeError:
                                pass
                break
        return None


def flush_output():
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BaseException:
        pass


# ---------------------------------------------------------------- student process

def student_main(compiled, module_name, channel):
    """Imports the submission and serves the runner's requests until the runner hangs up."""
    module = types.ModuleType(module_name)
    module.__file__ = channel.module_file
    # The submission gets its own builtins, so that the tests' patches of builtins (mock.patch of
    # builtins.max) reach its code and never our channel code.
    channel.student_builtins = dict(_builtins_dict)
    module.__dict__['__builtins__'] = channel.student_builtins
    sys.modules[module_name] = module
    try:
        # No code of the submission runs before the runner has read the whole job: killing the
        # runner earlier would leave the tests in the zygote's control stream.
        if channel.receive() != ['g']:
            return
        try:
            exec(compiled, module.__dict__)
        except BaseException as e:
            flush_output()
            channel.send(['i', 'error', channel.enc_exception(e, None)])
            return
        flush_output()
        channel.send(['i', 'imported', ['R', channel.export(module)]])
        while True:
            message = channel.receive()
            if message[0] != 'q':
                return
            channel.serve(message)
    except (ChannelClosed, ProtocolError):
        return


# ---------------------------------------------------------------- runner process

class Runner:
    def __init__(self, module_name, main_pid):
        self.module_name = module_name
        self.filename = module_name + '.py'
        self.main_pid = main_pid
        self.student_pid = None
        self.channel = None
        self.syntax_error = None

    def emit(self, event):
        if os.getpid() != self.main_pid:
            os._exit(0)
        data = (json.dumps(event, ensure_ascii=True) + '\n').encode('ascii')
        flush_output()
        write_all(RESULT_FD, data)

    def describe(self, exc):
        etype, value = type(exc), exc
        state = getattr(exc, '__dict__', None)
        remote = state.get('_k_frames') if type(state) is dict else None
        if remote is not None:
            # Raised in the student process: its frames and its own text came along.
            frames = remote
            if '_k_str' in state:
                only = etype.__name__ + (': ' + state['_k_str'] if state['_k_str'] else '')
            else:
                only = ''.join(traceback.format_exception_only(etype, value)).strip()
        else:
            frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == self.filename]
            only = ''.join(traceback.format_exception_only(etype, value)).strip()
        info = {'type': etype.__name__}
        if isinstance(exc, AssertionError) and not frames:
            text = str(value) or 'AssertionError'
        elif frames:
            text = ('Traceback (most recent call last):\n'
                    + ''.join(traceback.StackSummary.from_list(frames).format()) + only)
            info['location'] = {'line': frames[-1][1]}
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

    def mirror_student_end(self):
        """The student process is gone: end the way it ended, as one process would have."""
        _, status = os.waitpid(self.student_pid, 0)
        flush_output()
        if os.WIFSIGNALED(status):
            sig = os.WTERMSIG(status)
            if sig not in (signal.SIGKILL, signal.SIGSTOP):
                signal.signal(sig, signal.SIG_DFL)
            os.kill(os.getpid(), sig)
            os._exit(128 + sig)
        os._exit(os.WEXITSTATUS(status) if os.WIFEXITED(status) else 70)

    def start_student(self, code):
        # Compiled here, before the fork: a syntax error needs no student process, and the
        # student process does not pay again for pages the compiler touches.
        linecache.cache[self.filename] = (len(code), None, code.splitlines(True), self.filename)
        try:
            compiled = compile(code, self.filename, 'exec', dont_inherit=True)
        except SyntaxError as e:
            self.syntax_error = syntax_error_event(e)
            return
        except ValueError as e:
            self.syntax_error = {'e': 'syntax_error', 'type': 'ValueError', 'message': str(e), 'line': None, 'column': None}
            return
        # fds (see child_main): 4 the job's stdin, 5/6 runner -> student, 7/8 student -> runner.
        pid = os.fork()
        if pid == 0:
            try:
                os.dup2(4, 0)
                os.dup2(5, STUDENT_RPC_IN)
                os.dup2(8, STUDENT_RPC_OUT)
                os.closerange(STUDENT_RPC_OUT + 1, 65536)
                channel = Channel(STUDENT_RPC_IN, STUDENT_RPC_OUT, False, self.filename)
                channel.on_closed = lambda: os._exit(0)
                student_main(compiled, self.module_name, channel)
            finally:
                flush_output()
                os._exit(0)
        os.close(5)
        os.close(8)
        self.student_pid = pid
        self.channel = Channel(RUNNER_RPC_IN, RUNNER_RPC_OUT, True, self.filename)
        self.channel.on_closed = self.mirror_student_end

    def stop_student(self):
        if self.student_pid is not None:
            try:
                os.kill(self.student_pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            # Reaped here, its CPU time counts in the job's.
            os.waitpid(self.student_pid, 0)
            self.student_pid = None

    def run(self, read_tests):
        # The student process exists already (child_main): only now are the tests read.
        self.emit({'e': 'started'})
        name = self.module_name
        test_code = read_tests()
        os.dup2(4, 0)
        os.close(4)
        if self.syntax_error is not None:
            self.emit(self.syntax_error)
            return
        self.emit({'e': 'importing'})
        channel = self.channel
        channel.send(['g'])
        target = error = None
        try:
            message = channel.receive()
            if message[0] != 'i' or len(message) != 3 or message[1] not in ('imported', 'error'):
                raise ProtocolError('unexpected message')
            if message[1] == 'imported':
                target = channel.dec(message[2], {}, {})
                if type(target) is not StudentObject:
                    raise ProtocolError('no module')
            else:
                error = channel.dec_exception(message[2], {}, {})
        except (ProtocolError, RecursionError) as e:
            self.emit({'e': 'import_error', 'type': 'RuntimeError', 'message': 'RuntimeError',
                       'detail': 'the submission broke its connection to the tests (%s)' % e})
            return
        if error is not None:
            if isinstance(error, SystemExit):
                self.emit({'e': 'import_error', 'exit': True, 'code': error.__dict__.get('_k_code', 'None')})
            else:
                self.emit(dict(self.describe(error), e='import_error'))
            return
        module = StudentModule(name)
        module.__dict__['_k_channel'] = channel
        module.__dict__['_k_target'] = target
        module.__dict__['__file__'] = self.filename
        sys.modules[name] = module
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
        self.forward_patches(tests, target)
        self.watch_split_limits()
        suite = unittest.defaultTestLoader.loadTestsFromModule(tests)
        result = EventResult(self)
        suite.run(result)
        self.emit({'e': 'done', 'testsRun': result.testsRun})

    def watch_split_limits(self):
        global split_limit
        noted = set()

        def note(what):
            if what not in noted:
                noted.add(what)
                self.emit({'e': 'split_limit', 'what': what})

        split_limit = note
        assert_is = unittest.TestCase.assertIs

        def checked_assert_is(case, expr1, expr2, msg=None):
            try:
                return assert_is(case, expr1, expr2, msg)
            except case.failureException:
                # Equal but not identical: a value that crossed between the processes is a copy,
                # where in one process it might have been the very object.
                try:
                    copied = (type(expr1) is not StudentObject and type(expr2) is not StudentObject
                              and expr1 == expr2)
                except Exception:
                    copied = False
                if copied:
                    note('identity')
                raise

        unittest.TestCase.assertIs = checked_assert_is

    def forward_patches(self, tests, module_handle):
        """mock.patch of a module attribute (builtins.max, heapq.merge) reaches the submission too."""
        mock = sys.modules.get('unittest.mock')
        if mock is None:
            return
        channel = self.channel
        patch_class = mock._patch
        enter, leave = patch_class.__enter__, patch_class.__exit__

        def forwarded(patch):
            target = getattr(patch, 'target', None)
            if type(target) is not types.ModuleType or target is tests:
                return None
            return target.__name__

        def patched_enter(patch):
            result = enter(patch)
            name = forwarded(patch)
            if name is not None:
                channel.request('patch', module_handle, name, patch.attribute, getattr(patch.target, patch.attribute))
            return result

        def patched_exit(patch, *exc_info):
            name = forwarded(patch)
            try:
                return leave(patch, *exc_info)
            finally:
                if name is not None:
                    channel.request('unpatch', module_handle, name, patch.attribute)

        patch_class.__enter__ = patched_enter
        patch_class.__exit__ = patched_exit


class EventResult(unittest.TestResult):
    """Reports each test once, as unittest counts it: failing subtests are listed under their test."""

    def __init__(self, runner):
        super().__init__()
        self.runner = runner
        self.subtests = []
        self.reported = False

    @staticmethod
    def name_of(test):
        method = getattr(test, '_testMethodName', None)
        if method:
            return '%s.%s' % (type(test).__name__, method)
        return test.id().replace('_koodi_tests.', '')

    def startTest(self, test):
        super().startTest(test)
        self.subtests = []
        self.reported = False
        # Names the test that was running should the job be killed for its time.
        self.runner.emit({'e': 'test_start', 'name': self.name_of(test)})

    def stopTest(self, test):
        super().stopTest(test)
        if self.subtests and not self.reported:
            outcomes = set(s['outcome'] for s in self.subtests)
            self.send(test, 'error' if 'error' in outcomes else 'failed' if 'failed' in outcomes else 'skipped')
        self.subtests = []

    def send(self, test, outcome, err=None, message=''):
        self.reported = True
        event = {'e': 'test', 'name': self.name_of(test), 'outcome': outcome, 'message': message}
        if err is not None:
            event.update(self.runner.describe(err[1]))
            event['e'] = 'test'
            event['outcome'] = outcome
        if self.subtests:
            if outcome == 'failed' and any(s['outcome'] == 'error' for s in self.subtests):
                event['outcome'] = 'error'
            event['subtests'] = self.subtests[:100]
            listed = '\n\n'.join('%s: %s%s' % (s['name'], 'skipped: ' if s['outcome'] == 'skipped' else '', s['message'])
                                   for s in self.subtests[:20])
            more = len(self.subtests) - 20
            if more > 0:
                listed += '\n\n[%d more subtests]' % more
            failing = sum(1 for s in self.subtests if s['outcome'] != 'skipped')
            skipped = len(self.subtests) - failing
            head = []
            if failing:
                head.append('%d subtest%s failed.' % (failing, '' if failing == 1 else 's'))
            if skipped:
                head.append('%d subtest%s skipped.' % (skipped, ' was' if skipped == 1 else 's were'))
            event['message'] = ' '.join(head) + '\n\n' + listed + ('\n\n' + event['message'] if event['message'] else '')
            if 'location' not in event:
                for s in self.subtests:
                    if 'location' in s:
                        event['location'] = s['location']
                        break
            for flag in ('memory', 'processes', 'recursion'):
                if any(s.get(flag) for s in self.subtests):
                    event[flag] = True
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
        if type(test).__name__ == '_SubTest' and getattr(test, 'test_case', None) is not None:
            # A skipped subtest: listed under its test, which then cannot count as passed.
            if len(self.subtests) < 1000:
                self.subtests.append({'name': test._subDescription(), 'outcome': 'skipped', 'message': str(reason)[:300]})
            return
        self.send(test, 'skipped', message=str(reason))

    def addExpectedFailure(self, test, err):
        super().addExpectedFailure(test, err)
        self.send(test, 'passed')

    def addUnexpectedSuccess(self, test):
        super().addUnexpectedSuccess(test)
        self.send(test, 'failed', message='The test was expected to fail but passed.')

    def addSubTest(self, test, subtest, err):
        super().addSubTest(test, subtest, err)
        if err is not None and len(self.subtests) < 1000:
            info = dict(self.runner.describe(err[1]))
            info['name'] = subtest._subDescription()
            info['outcome'] = 'failed' if issubclass(err[0], test.failureException) else 'error'
            info.pop('detail', None)
            self.subtests.append(info)


def syntax_error_event(e):
    # The type tells IndentationError and TabError from other syntax errors.
    return {'e': 'syntax_error', 'type': type(e).__name__, 'message': e.msg, 'line': e.lineno, 'column': e.offset}


# ---------------------------------------------------------------- program side
#
# A `program` job runs the submission as a whole program once per case, each run a fresh process
# forked from the runner: the case's stdin on fd 0, its stdout into a pipe the runner reads (up to
# the output limit), its stderr to the job's output, and on fd 3 a pipe for what the submission
# raised (only ever used to word the message). The runner reports what each run printed and how it
# ended; the grader compares that with the expected output, which never enters the sandbox. So
# nothing in these processes is secret beyond what the submission is given anyway.

REPORT_BYTES = 64 * 1024


def program_exit_code(e):
    code = e.code
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xff
    try:
        sys.stderr.write(str(code) + '\n')
    except BaseException:
        pass
    return 1


def program_main(compiled, filename):
    """The student process of one case: runs the submission as __main__ and ends as it ended."""
    code = 1
    try:
        module = types.ModuleType('__main__')
        module.__file__ = filename
        module.__dict__['__builtins__'] = builtins
        sys.modules['__main__'] = module
        sys.stdin = open(0, 'r', encoding='utf-8', errors='replace', closefd=False)
        sys.stdout.reconfigure(line_buffering=False)
        try:
            exec(compiled, module.__dict__)
            code = 0
        except SystemExit as e:
            code = program_exit_code(e)
        except BaseException as e:
            code = 1
            report_program_error(e, filename)
    finally:
        flush_output()
        os._exit(code)


def report_program_error(e, filename):
    info = {'type': type(e).__name__}
    try:
        frames = [f for f in traceback.extract_tb(e.__traceback__) if f.filename == filename]
        only = ''.join(traceback.format_exception_only(type(e), e)).strip()
        text = 'Traceback (most recent call last):\n' + ''.join(traceback.StackSummary.from_list(frames).format()) + only
        if frames:
            info['location'] = {'line': frames[-1].lineno}
        info['message'] = text[-4000:]
        info['detail'] = str(e)[:300]
        if isinstance(e, MemoryError):
            info['memory'] = True
        if isinstance(e, RecursionError):
            info['recursion'] = True
        if isinstance(e, BlockingIOError) or (isinstance(e, OSError) and e.errno == errno.EAGAIN):
            info['processes'] = True
        flush_output()
        os.write(2, (text + '\n').encode('utf-8', 'backslashreplace'))
    except BaseException:
        info.setdefault('message', type(e).__name__)
    try:
        write_all(3, json.dumps(info, ensure_ascii=True).encode('ascii')[:REPORT_BYTES])
    except BaseException:
        pass


class ProgramRunner:
    def __init__(self, module_name, main_pid, limits):
        self.filename = module_name + '.py'
        self.main_pid = main_pid
        self.cap = limits['outputBytes']

    emit = Runner.emit

    def run(self, code, cases):
        self.emit({'e': 'started'})
        linecache.cache[self.filename] = (len(code), None, code.splitlines(True), self.filename)
        try:
            compiled = compile(code, self.filename, 'exec', dont_inherit=True)
        except SyntaxError as e:
            self.emit(syntax_error_event(e))
            return
        except ValueError as e:
            self.emit({'e': 'syntax_error', 'type': 'ValueError', 'message': str(e), 'line': None, 'column': None})
            return
        self.emit({'e': 'imported'})
        for case in cases:
            name = str(case['name'])
            self.emit({'e': 'test_start', 'name': name})
            event = self.run_case(compiled, str(case['stdin']).encode('utf-8', 'surrogatepass'))
            event.update(e='case', name=name)
            self.emit(event)
        self.emit({'e': 'done', 'testsRun': len(cases)})

    def run_case(self, compiled, data):
        in_r, in_w = os.pipe()
        out_r, out_w = os.pipe()
        rep_r, rep_w = os.pipe()
        flush_output()
        pid = os.fork()
        if pid == 0:
            try:
                os.setpgid(0, 0)
                # 0, 1 and 3 are open here, so no new pipe is one of them.
                os.dup2(in_r, 0)
                os.dup2(out_w, 1)
                os.dup2(rep_w, 3)
                # fd 2 stays the job's output; nothing of the runner is left open.
                os.closerange(4, 65536)
            except BaseException:
                os._exit(70)
            program_main(compiled, self.filename)
        try:
            os.setpgid(pid, pid)
        except OSError:
            pass
        os.close(in_r)
        os.close(out_w)
        os.close(rep_w)
        pidfd = os.pidfd_open(pid)
        out = bytearray()
        report = bytearray()
        total = 0
        pending = memoryview(data)
        poller = select.poll()
        for fd in (out_r, rep_r, in_w):
            os.set_blocking(fd, False)
        poller.register(out_r, select.POLLIN)
        poller.register(rep_r, select.POLLIN)
        poller.register(pidfd, select.POLLIN)
        if len(pending):
            poller.register(in_w, select.POLLOUT)
        else:
            os.close(in_w)
            in_w = -1
        exited = False
        while not exited and total <= self.cap:
            for fd, _ in poller.poll():
                if fd == pidfd:
                    exited = True
                elif fd == in_w:
                    try:
                        pending = pending[os.write(in_w, pending[:CHUNK]):]
                    except BlockingIOError:
                        continue
                    except OSError:
                        pending = pending[:0]
                    if not len(pending):
                        # EOF on the program's stdin once the case's input is all written.
                        poller.unregister(in_w)
                        os.close(in_w)
                        in_w = -1
                else:
                    n = self.take(fd, out if fd == out_r else report, REPORT_BYTES if fd == rep_r else self.cap + 1)
                    if n == 0:
                        poller.unregister(fd)
                    elif n > 0 and fd == out_r:
                        total += n
        try:
            os.killpg(pid, signal.SIGKILL)
        except OSError:
            pass
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        _, status, usage = os.wait4(pid, 0)
        # What the pipes hold now, but never waiting for EOF: a process the program left behind
        # may hold their write ends.
        for _ in range(64):
            n = self.take(out_r, out, self.cap + 1)
            if n <= 0:
                break
            total += n
        for _ in range(4):
            if self.take(rep_r, report, REPORT_BYTES) <= 0:
                break
        for fd in (in_w, out_r, rep_r, pidfd):
            if fd >= 0:
                os.close(fd)
        event = {
            'stdout': binascii.b2a_base64(bytes(out[:self.cap]), newline=False).decode('ascii'),
            'stdoutBytes': total,
            'exitCode': os.WEXITSTATUS(status) if os.WIFEXITED(status) else None,
            'signal': os.WTERMSIG(status) if os.WIFSIGNALED(status) else None,
            'cpuSeconds': usage.ru_utime + usage.ru_stime,
        }
        if total > self.cap:
            event['outputLimit'] = True
        if event['exitCode'] != 0 and report:
            event['error'] = self.read_report(bytes(report))
        return event

    @staticmethod
    def take(fd, into, cap):
        """Reads what fd holds into `into` (kept up to cap). Returns bytes read, 0 at EOF, -1 if none now."""
        try:
            n = os.readv(fd, [_buf])
        except BlockingIOError:
            return -1
        room = cap - len(into)
        if n > 0 and room > 0:
            into += _view[:min(n, room)]
        return n

    @staticmethod
    def read_report(raw):
        # Written by the submission's process: it words the message and nothing else.
        try:
            value = json.loads(raw.decode('ascii'))
        except (ValueError, UnicodeDecodeError, RecursionError):
            return {}
        if type(value) is not dict:
            return {}
        out = {}
        for key in ('type', 'message', 'detail'):
            if type(value.get(key)) is str:
                out[key] = value[key][:4000]
        location = value.get('location')
        if type(location) is dict and type(location.get('line')) is int:
            out['location'] = {'line': location['line']}
        for key in ('memory', 'recursion', 'processes'):
            if value.get(key) is True:
                out[key] = True
        return out


def child_main(header, stdin_r, out_w, res_w):
    code = 0
    runner = None
    try:
        gc.enable()
        os.setpgid(0, 0)
        # Inherited from the zygote already; said again because the student process runs under
        # the same uid and must never read this process's memory or fds.
        if _libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), 'prctl(PR_SET_DUMPABLE) failed')
        # Only the submission's part of the payload: the tests stay in the pipe until the
        # student process exists (Runner.run).
        job = json.loads(read_exact(CTL_IN, header['codeBytes']))
        tests_bytes = header['payloadBytes'] - header['codeBytes']
        if 'stdin' in job:
            # A Run's stdin (at most 64 KiB, one pipe buffer): written whole, then EOF.
            stdin_r, stdin_w = os.pipe()
            write_all(stdin_w, job.pop('stdin').encode('utf-8', 'surrogatepass'))
            os.close(stdin_w)
        # Fixed fds: 0 control stream (the tests are still to be read), 1/2 output, 3 results,
        # 4 the job's stdin, then the two channel pipes (5/6 runner -> student, 7/8 back).
        os.dup2(stdin_r, 20)
        os.dup2(out_w, 21)
        os.dup2(res_w, 22)
        os.dup2(21, 1)
        os.dup2(21, 2)
        os.dup2(22, RESULT_FD)
        os.dup2(20, 4)
        os.closerange(5, 65536)
        if os.pipe() != (5, 6) or os.pipe() != (7, 8):
            raise OSError('unexpected fd layout')
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
        if header.get('kind') == 'program':
            cases = json.loads(read_exact(CTL_IN, tests_bytes).decode('utf-8'))['cases']
            os.close(4)
            ProgramRunner(job['moduleName'], os.getpid(), limits).run(job['code'], cases)
            return
        runner = Runner(job['moduleName'], os.getpid())
        # Fork as early as possible: every page this process writes before the fork is copied
        # once more when it writes it again after.
        runner.start_student(job['code'])
        del job
        runner.run(lambda: read_exact(CTL_IN, tests_bytes).decode('utf-8'))
    except BaseException:
        code = 70
        try:
            os.write(2, traceback.format_exc().encode('utf-8', 'backslashreplace')[-2000:])
        except BaseException:
            pass
    finally:
        if runner is not None and os.getpid() == runner.main_pid:
            try:
                runner.stop_student()
            except BaseException:
                pass
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

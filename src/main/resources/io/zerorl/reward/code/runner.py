# zerorl sandbox runner: applies resource limits and an audit hook, then runs program.py.
# Placeholders @...@ are filled in by io.zerorl.reward.code.PythonSandbox.
# The deny-list follows openai/human-eval execution.py reliability_guard, enforced with PEP 578 audit
# hooks (which code cannot remove) instead of monkeypatching (which it can undo).
import os, sys, resource

def _limit(res, value):
    try:
        resource.setrlimit(res, (value, value))
    except (ValueError, OSError):
        pass

_limit(resource.RLIMIT_CPU, @CPU@)
_limit(resource.RLIMIT_AS, @MEM@)
_limit(resource.RLIMIT_FSIZE, @FSIZE@)
_limit(resource.RLIMIT_NOFILE, @NOFILE@)
_limit(resource.RLIMIT_NPROC, @NPROC@)
_limit(resource.RLIMIT_CORE, 0)

def _main():
    token = sys.stdin.readline().strip()
    sys.stdin = open(os.devnull)
    with open("program.py", encoding="utf-8") as f:
        source = f.read()
    code = compile(source, "program.py", "exec")
    workdir = os.path.realpath(os.getcwd())
    realpath, fsdecode, write, exit_ = os.path.realpath, os.fsdecode, os.write, os._exit
    W = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND

    def inside(p):
        if isinstance(p, int) or p is None:
            return True
        try:
            rp = realpath(fsdecode(p))
        except Exception:
            return False
        return rp == workdir or rp.startswith(workdir + os.sep)

    denied = {"os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork", "os.forkpty", "os.kill",
              "os.killpg", "subprocess.Popen", "socket.__new__", "socket.connect", "socket.bind",
              "socket.getaddrinfo", "socket.sendto", "ctypes.dlopen", "ctypes.dlsym", "ctypes.cdata",
              "os.setuid", "os.chroot", "sys._current_frames", "pty.spawn", "resource.setrlimit",
              "resource.prlimit", "os.putenv", "os.unsetenv", "webbrowser.open", "urllib.Request"}
    path_events = {"os.remove", "os.rmdir", "os.rename", "os.truncate", "os.chmod", "os.chown", "os.mkdir",
                   "os.symlink", "os.link", "os.utime", "shutil.rmtree", "shutil.move", "shutil.copyfile"}
    blocked_modules = {"ctypes", "_ctypes"}  # foreign calls would bypass the hook

    def hook(event, args):
        if event in denied:
            raise PermissionError("sandbox: " + event + " is not allowed")
        if event == "open":
            path, mode, flags = args
            writing = (mode is not None and any(c in mode for c in "wax+")) or (flags or 0) & W
            if writing and not inside(path):
                raise PermissionError("sandbox: writing outside the work directory")
        elif event in path_events:
            for a in args[:2]:
                if isinstance(a, (str, bytes)) and not inside(a):
                    raise PermissionError("sandbox: " + event + " outside the work directory")
        elif event == "import" and args[0] in blocked_modules:
            raise ImportError("sandbox: module " + args[0] + " is not allowed")

    sys.addaudithook(hook)
    g = {"__name__": "__main__", "__builtins__": __builtins__}
    try:
        exec(code, g)
    except SystemExit as e:
        sys.stderr.write("sandbox: program called exit(%r)\n" % (e.code,))
        sys.stderr.flush()
        exit_(3)
    except BaseException:
        import traceback
        traceback.print_exc()
        sys.stderr.flush()
        exit_(1)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except Exception:
        pass
    write(1, ("\n" + token + "\n").encode())
    exit_(0)

_main()

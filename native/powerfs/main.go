// powerfs: a FUSE passthrough over a backing folder that remembers which writes are not yet
// durable and, on a power cut, forgets them, as the disk of a node whose power fails would.
//
//	powerfs -backing DIR -mount DIR -report FILE [-lifeline FIFO]
//
// The durability model (docs/power-loss.md):
//   - File contents, including the size (write, truncate, fallocate, mmap pages written back),
//     are durable at the file's last fsync/fdatasync (msync reaches us as one). Everything written
//     to a file since is volatile: a power cut gives the file back its content and size as of that
//     fsync. A file never fsynced since it was created is empty after the cut.
//   - Directory operations (create, mkdir, rename, link, unlink, rmdir) are durable at once: a
//     journaling filesystem (ext4, data=ordered) commits them within seconds and atomically.
//   - What is in the backing folder when powerfs mounts is durable (it is what the disk holds).
//
// It keeps the backing folder at the latest state (what the page cache shows) and an undo record
// per file modified since its last fsync: its durable size, and the durable bytes of each page
// overwritten below that size. fsync drops the record; a power cut applies every record (the
// durable pages written back, the file truncated to its durable size), writes a JSON report of
// what it dropped to -report, detaches the mount and exits 0.
//
// Signals: SIGUSR1 is the power cut. SIGTERM, SIGINT and SIGHUP detach the mount and exit 0
// without dropping anything (a clean shutdown of the node's disk).
//
// A guard process (this program with -guard, in a session of its own so the tether's SIGKILL to
// powerfs's process group does not reach it) detaches the mount when powerfs dies without doing
// so itself (SIGKILL) or when the run's lifeline closes (its owner is gone): no mount outlives
// powerfs.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"
	"golang.org/x/sys/unix"
)

// FSTYPE is how our mounts show in /proc/mounts (fuse.<Name>); scripts/check-no-orphans.sh and
// harness/cluster/powerfs.ts look for it.
const FSTYPE = "fuse.powerfs"

const page = 4096

type key struct{ dev, ino uint64 }

// volatile is the undo record of one file modified since its last fsync.
type volatile struct {
	fd      int // O_RDWR on the backing inode: reverting works whatever its name is by then
	durable int64
	saved   map[int64][]byte // page index → its durable bytes (only pages below durable)
	written int64            // bytes written since the last fsync
	firstAt time.Time
}

type powerFS struct {
	mu      sync.Mutex
	backing string
	files   map[key]*volatile
	off     bool
	fsyncs  int64
	synced  map[string]int64 // relative path → fsyncs, for the report
	started time.Time
}

func (p *powerFS) rel(fd int) string {
	target, err := os.Readlink("/proc/self/fd/" + strconv.Itoa(fd))
	if err != nil {
		return "?"
	}
	if r, err := filepath.Rel(p.backing, target); err == nil {
		return r
	}
	return target
}

// record returns the undo record of the file open as fd, creating it (the file is durable as it
// is now) on its first modification since its last fsync. Called with p.mu held.
func (p *powerFS) record(fd int) (*volatile, syscall.Errno) {
	var st syscall.Stat_t
	if err := syscall.Fstat(fd, &st); err != nil {
		return nil, fs.ToErrno(err)
	}
	k := key{uint64(st.Dev), st.Ino}
	if v, ok := p.files[k]; ok {
		return v, 0
	}
	// Reopen the inode read-write: the handle written through may be write-only.
	rfd, err := syscall.Open("/proc/self/fd/"+strconv.Itoa(fd), syscall.O_RDWR|syscall.O_CLOEXEC, 0)
	if err != nil {
		return nil, fs.ToErrno(err)
	}
	v := &volatile{fd: rfd, durable: st.Size, saved: map[int64][]byte{}, firstAt: time.Now()}
	p.files[k] = v
	return v, 0
}

// save keeps the durable bytes of every page of [off, off+n) below the durable size that is not
// kept yet. Called with p.mu held, before the range is modified.
func (p *powerFS) save(v *volatile, off, n int64) syscall.Errno {
	if n <= 0 {
		return 0
	}
	end := off + n
	if end > v.durable {
		end = v.durable
	}
	for pg := off / page; pg*page < end; pg++ {
		if _, ok := v.saved[pg]; ok {
			continue
		}
		size := int64(page)
		if pg*page+size > v.durable {
			size = v.durable - pg*page
		}
		buf := make([]byte, size)
		got, err := syscall.Pread(v.fd, buf, pg*page)
		if err != nil {
			return fs.ToErrno(err)
		}
		v.saved[pg] = buf[:got]
	}
	return 0
}

// modify runs op (a change to the file open as fd over [off, off+n), or from off to the end when
// n < 0) with its undo kept first.
func (p *powerFS) modify(fd int, off, n int64, written int64, op func() syscall.Errno) syscall.Errno {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.off {
		return syscall.EIO
	}
	v, errno := p.record(fd)
	if errno != 0 {
		return errno
	}
	if n < 0 {
		n = v.durable - off
	}
	if errno := p.save(v, off, n); errno != 0 {
		return errno
	}
	v.written += written
	return op()
}

func (p *powerFS) fsync(fd int, datasync bool) syscall.Errno {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.off {
		return syscall.EIO
	}
	var err error
	if datasync {
		err = syscall.Fdatasync(fd)
	} else {
		err = syscall.Fsync(fd)
	}
	if err != nil {
		return fs.ToErrno(err)
	}
	var st syscall.Stat_t
	if err := syscall.Fstat(fd, &st); err != nil {
		return fs.ToErrno(err)
	}
	k := key{uint64(st.Dev), st.Ino}
	if v, ok := p.files[k]; ok {
		syscall.Close(v.fd)
		delete(p.files, k)
	}
	p.fsyncs++
	if len(p.synced) < 500 {
		p.synced[p.rel(fd)]++
	}
	return 0
}

type droppedFile struct {
	Path         string `json:"path"`
	DurableBytes int64  `json:"durableBytes"`
	BytesAtCut   int64  `json:"bytesAtCut"`
	Written      int64  `json:"writtenSinceFsync"`
	PagesRestore int    `json:"pagesRestored"`
	VolatileMs   int64  `json:"volatileForMs"`
}

type report struct {
	CutAt     string        `json:"cutAt"`
	CutAtMs   int64         `json:"cutAtMs"`
	MountedMs int64         `json:"mountedForMs"`
	Files     []droppedFile `json:"files"`
	// BytesWritten: bytes written to these files since their last fsync, all dropped.
	BytesWritten int64 `json:"bytesWritten"`
	// BytesDropped: bytes past each file's durable size that the cut took away (preallocated
	// index files count whole).
	BytesDropped  int64            `json:"bytesDropped"`
	PagesRestored int              `json:"pagesRestored"`
	Fsyncs        int64            `json:"fsyncs"`
	Synced        map[string]int64 `json:"fsyncedFiles"`
}

// cut is the power failure: from now on every change fails, and every file gets its durable
// content and size back.
func (p *powerFS) cut() report {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	p.off = true
	r := report{CutAt: now.UTC().Format(time.RFC3339Nano), CutAtMs: now.UnixMilli(), MountedMs: now.Sub(p.started).Milliseconds(), Fsyncs: p.fsyncs, Synced: p.synced}
	for k, v := range p.files {
		var st syscall.Stat_t
		size := int64(-1)
		if syscall.Fstat(v.fd, &st) == nil {
			size = st.Size
		}
		for pg, data := range v.saved {
			if _, err := syscall.Pwrite(v.fd, data, pg*page); err != nil {
				fmt.Fprintf(os.Stderr, "powerfs: restoring page %d of %s: %v\n", pg, p.rel(v.fd), err)
			}
		}
		if err := syscall.Ftruncate(v.fd, v.durable); err != nil {
			fmt.Fprintf(os.Stderr, "powerfs: truncating %s to %d: %v\n", p.rel(v.fd), v.durable, err)
		}
		d := droppedFile{Path: p.rel(v.fd), DurableBytes: v.durable, BytesAtCut: size, Written: v.written, PagesRestore: len(v.saved), VolatileMs: now.Sub(v.firstAt).Milliseconds()}
		r.Files = append(r.Files, d)
		if size > v.durable {
			r.BytesDropped += size - v.durable
		}
		r.PagesRestored += len(v.saved)
		r.BytesWritten += v.written
		syscall.Close(v.fd)
		delete(p.files, k)
	}
	sort.Slice(r.Files, func(i, j int) bool { return r.Files[i].Path < r.Files[j].Path })
	return r
}

// ---- the FUSE side: the loopback, with every change to a file's content going through modify ----

type node struct {
	*fs.LoopbackNode
	p *powerFS
}

var (
	_ fs.NodeWrapChilder    = (*node)(nil)
	_ fs.NodeOpener         = (*node)(nil)
	_ fs.NodeCreater        = (*node)(nil)
	_ fs.NodeSetattrer      = (*node)(nil)
	_ fs.NodeFsyncer        = (*node)(nil)
	_ fs.NodeTmpfiler       = (*node)(nil)
	_ fs.NodeCopyFileRanger = (*node)(nil)
)

func (n *node) WrapChild(ctx context.Context, ops fs.InodeEmbedder) fs.InodeEmbedder {
	return &node{LoopbackNode: ops.(*fs.LoopbackNode), p: n.p}
}

func (n *node) backingPath() string {
	return filepath.Join(n.RootData.Path, n.Path(n.Root()))
}

// Open: O_TRUNC empties the file, a change like any other.
func (n *node) Open(ctx context.Context, flags uint32) (fs.FileHandle, uint32, syscall.Errno) {
	if n.p.isOff() {
		return nil, 0, syscall.EIO
	}
	if flags&syscall.O_TRUNC != 0 {
		if errno := n.truncatePath(0); errno != 0 {
			return nil, 0, errno
		}
		flags &^= syscall.O_TRUNC
	}
	fh, ff, errno := n.LoopbackNode.Open(ctx, flags)
	if errno != 0 {
		return nil, 0, errno
	}
	return wrap(fh, n.p), ff, 0
}

func (n *node) Create(ctx context.Context, name string, flags uint32, mode uint32, out *fuse.EntryOut) (*fs.Inode, fs.FileHandle, uint32, syscall.Errno) {
	if n.p.isOff() {
		return nil, nil, 0, syscall.EIO
	}
	if flags&syscall.O_TRUNC != 0 {
		// An existing file is emptied: keep its durable content first.
		if fd, err := syscall.Open(filepath.Join(n.backingPath(), name), syscall.O_RDONLY|syscall.O_CLOEXEC|syscall.O_NOFOLLOW, 0); err == nil {
			errno := n.p.modify(fd, 0, -1, 0, func() syscall.Errno { return fs.ToErrno(syscall.Ftruncate(fd, 0)) })
			syscall.Close(fd)
			if errno != 0 {
				return nil, nil, 0, errno
			}
		}
		flags &^= syscall.O_TRUNC
	}
	ch, fh, ff, errno := n.LoopbackNode.Create(ctx, name, flags, mode, out)
	if errno != 0 {
		return nil, nil, 0, errno
	}
	return ch, wrap(fh, n.p), ff, 0
}

// Tmpfile: O_TMPFILE is refused (the kernel's callers fall back to a named file); Kafka does not use it.
func (n *node) Tmpfile(ctx context.Context, flags uint32, mode uint32, out *fuse.EntryOut) (*fs.Inode, fs.FileHandle, uint32, syscall.Errno) {
	return nil, nil, 0, syscall.EOPNOTSUPP
}

// CopyFileRange: refused, so the kernel copies through read and write, which we see.
func (n *node) CopyFileRange(ctx context.Context, fhIn fs.FileHandle, offIn uint64, out *fs.Inode, fhOut fs.FileHandle, offOut uint64, len uint64, flags uint64) (uint32, syscall.Errno) {
	return 0, syscall.ENOSYS
}

func (n *node) truncatePath(size int64) syscall.Errno {
	fd, err := syscall.Open(n.backingPath(), syscall.O_RDONLY|syscall.O_CLOEXEC|syscall.O_NOFOLLOW, 0)
	if err != nil {
		return fs.ToErrno(err)
	}
	defer syscall.Close(fd)
	return n.p.modify(fd, size, -1, 0, func() syscall.Errno { return fs.ToErrno(syscall.Ftruncate(fd, size)) })
}

func (n *node) Setattr(ctx context.Context, f fs.FileHandle, in *fuse.SetAttrIn, out *fuse.AttrOut) syscall.Errno {
	if n.p.isOff() {
		return syscall.EIO
	}
	if size, ok := in.GetSize(); ok {
		var errno syscall.Errno
		if h, isOurs := f.(*handle); isOurs {
			errno = h.truncate(int64(size))
		} else {
			errno = n.truncatePath(int64(size))
		}
		if errno != 0 {
			return errno
		}
		in.Valid &^= fuse.FATTR_SIZE
	}
	var inner fs.FileHandle
	if h, isOurs := f.(*handle); isOurs {
		inner = h.lf
	}
	return n.LoopbackNode.Setattr(ctx, inner, in, out)
}

// Fsync: a file's fsync makes it durable; a folder's is passed on (folder changes are durable at once).
func (n *node) Fsync(ctx context.Context, f fs.FileHandle, flags uint32) syscall.Errno {
	if h, ok := f.(*handle); ok {
		return h.Fsync(ctx, flags)
	}
	if n.p.isOff() {
		return syscall.EIO
	}
	fd, err := syscall.Open(n.backingPath(), syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return fs.ToErrno(err)
	}
	defer syscall.Close(fd)
	if n.IsDir() {
		return fs.ToErrno(syscall.Fsync(fd))
	}
	return n.p.fsync(fd, flags&1 != 0)
}

func (p *powerFS) isOff() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.off
}

// handle is an open file: the loopback's, with its changes kept undoable. It does not offer the
// loopback's passthrough fd (the kernel would then write to the backing file without us).
type handle struct {
	lf *fs.LoopbackFile
	fd int
	p  *powerFS
}

func wrap(fh fs.FileHandle, p *powerFS) fs.FileHandle {
	lf := fh.(*fs.LoopbackFile)
	fd, _ := lf.PassthroughFd() // the loopback's own descriptor, used here, not handed to the kernel
	return &handle{lf: lf, fd: fd, p: p}
}

var (
	_ fs.FileReader    = (*handle)(nil)
	_ fs.FileWriter    = (*handle)(nil)
	_ fs.FileReleaser  = (*handle)(nil)
	_ fs.FileFlusher   = (*handle)(nil)
	_ fs.FileFsyncer   = (*handle)(nil)
	_ fs.FileGetattrer = (*handle)(nil)
	_ fs.FileSetattrer = (*handle)(nil)
	_ fs.FileLseeker   = (*handle)(nil)
	_ fs.FileAllocater = (*handle)(nil)
)

func (h *handle) Read(ctx context.Context, buf []byte, off int64) (fuse.ReadResult, syscall.Errno) {
	return h.lf.Read(ctx, buf, off)
}

func (h *handle) Write(ctx context.Context, data []byte, off int64) (uint32, syscall.Errno) {
	var written uint32
	errno := h.p.modify(h.fd, off, int64(len(data)), int64(len(data)), func() syscall.Errno {
		var e syscall.Errno
		written, e = h.lf.Write(ctx, data, off)
		return e
	})
	return written, errno
}

func (h *handle) truncate(size int64) syscall.Errno {
	return h.p.modify(h.fd, size, -1, 0, func() syscall.Errno { return fs.ToErrno(syscall.Ftruncate(h.fd, size)) })
}

func (h *handle) Allocate(ctx context.Context, off uint64, size uint64, mode uint32) syscall.Errno {
	return h.p.modify(h.fd, int64(off), int64(size), 0, func() syscall.Errno { return h.lf.Allocate(ctx, off, size, mode) })
}

func (h *handle) Fsync(ctx context.Context, flags uint32) syscall.Errno {
	return h.p.fsync(h.fd, flags&1 != 0)
}

func (h *handle) Release(ctx context.Context) syscall.Errno { return h.lf.Release(ctx) }
func (h *handle) Flush(ctx context.Context) syscall.Errno   { return h.lf.Flush(ctx) }
func (h *handle) Getattr(ctx context.Context, out *fuse.AttrOut) syscall.Errno {
	return h.lf.Getattr(ctx, out)
}
func (h *handle) Setattr(ctx context.Context, in *fuse.SetAttrIn, out *fuse.AttrOut) syscall.Errno {
	if size, ok := in.GetSize(); ok {
		if errno := h.truncate(int64(size)); errno != 0 {
			return errno
		}
		in.Valid &^= fuse.FATTR_SIZE
	}
	return h.lf.Setattr(ctx, in, out)
}
func (h *handle) Lseek(ctx context.Context, off uint64, whence uint32) (uint64, syscall.Errno) {
	return h.lf.Lseek(ctx, off, whence)
}

// ---- mounts ----

// mountID is the id (/proc/self/mountinfo's first field) of the topmost powerfs mount at dir, or "".
func mountID(dir string) string {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return ""
	}
	defer f.Close()
	id := ""
	s := bufio.NewScanner(f)
	s.Buffer(make([]byte, 1<<16), 1<<20)
	for s.Scan() {
		fields := strings.Fields(s.Text())
		sep := -1
		for i, x := range fields {
			if x == "-" {
				sep = i
				break
			}
		}
		if len(fields) < 5 || sep < 0 || sep+1 >= len(fields) {
			continue
		}
		if unescape(fields[4]) == dir && fields[sep+1] == FSTYPE {
			id = fields[0]
		}
	}
	return id
}

func unescape(s string) string {
	r := strings.NewReplacer(`\040`, " ", `\011`, "\t", `\012`, "\n", `\134`, `\`)
	return r.Replace(s)
}

func detach(dir string) error {
	return unix.Unmount(dir, unix.MNT_DETACH)
}

// guard waits until powerfs (the write end of fd 3) or the run's owner (the lifeline) is gone,
// then detaches the mount if it is still the one powerfs made.
func guard(dir, id, lifeline string) {
	gone := make(chan string, 2)
	go func() {
		buf := make([]byte, 64)
		for {
			n, err := syscall.Read(3, buf)
			if n <= 0 && err != syscall.EINTR {
				gone <- "powerfs exited"
				return
			}
		}
	}()
	if lifeline != "" {
		go func() {
			fd, err := syscall.Open(lifeline, syscall.O_RDONLY|syscall.O_NONBLOCK|syscall.O_CLOEXEC, 0)
			if err != nil {
				gone <- "lifeline cannot be opened: " + err.Error()
				return
			}
			flags, _ := unix.FcntlInt(uintptr(fd), unix.F_GETFL, 0)
			unix.FcntlInt(uintptr(fd), unix.F_SETFL, flags&^unix.O_NONBLOCK)
			buf := make([]byte, 512)
			for {
				n, err := syscall.Read(fd, buf)
				if n == 0 && err == nil {
					gone <- "the run's owner is gone (lifeline closed)"
					return
				}
				if err != nil && err != syscall.EINTR && err != syscall.EAGAIN {
					gone <- "lifeline read: " + err.Error()
					return
				}
			}
		}()
	}
	signal.Ignore(syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
	why := <-gone
	if mountID(dir) == id {
		err := detach(dir)
		fmt.Fprintf(os.Stderr, "powerfs guard: %s; detached %s (mount %s): %v\n", why, dir, id, err)
	}
}

func writeReport(path string, r report) error {
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(data, '\n'), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

func main() {
	backing := flag.String("backing", "", "the folder whose content is the disk")
	mount := flag.String("mount", "", "where to mount it (an empty folder)")
	reportPath := flag.String("report", "", "where the power cut's JSON report goes")
	lifeline := flag.String("lifeline", "", "the run's lifeline FIFO: when it closes, the guard detaches the mount")
	isGuard := flag.Bool("guard", false, "internal: run as the guard of mount -mount with id -mount-id")
	id := flag.String("mount-id", "", "internal: the guarded mount's id")
	flag.Parse()
	if *isGuard {
		guard(*mount, *id, *lifeline)
		return
	}
	if *backing == "" || *mount == "" || *reportPath == "" {
		fmt.Fprintln(os.Stderr, "usage: powerfs -backing DIR -mount DIR -report FILE [-lifeline FIFO]")
		os.Exit(2)
	}
	if err := run(*backing, *mount, *reportPath, *lifeline); err != nil {
		fmt.Fprintf(os.Stderr, "powerfs: %v\n", err)
		os.Exit(1)
	}
}

func run(backing, mount, reportPath, lifeline string) error {
	backing, _ = filepath.Abs(backing)
	mount, _ = filepath.Abs(mount)
	var st syscall.Stat_t
	if err := syscall.Stat(backing, &st); err != nil {
		return fmt.Errorf("backing folder %s: %w", backing, err)
	}
	if mountID(mount) != "" {
		return fmt.Errorf("%s is a powerfs mount already; unmount it first (fusermount -uz %s)", mount, mount)
	}
	p := &powerFS{backing: backing, files: map[key]*volatile{}, synced: map[string]int64{}, started: time.Now()}
	lroot := &fs.LoopbackRoot{Path: backing, Dev: uint64(st.Dev)}
	root := &node{LoopbackNode: &fs.LoopbackNode{RootData: lroot}, p: p}
	lroot.RootNode = root
	sec := time.Second
	server, err := fs.Mount(mount, root, &fs.Options{
		EntryTimeout: &sec,
		AttrTimeout:  &sec,
		MountOptions: fuse.MountOptions{FsName: "powerfs:" + backing, Name: "powerfs", DirectMount: true, MaxWrite: 1 << 20},
	})
	if err != nil {
		return fmt.Errorf("mounting %s on %s: %w", backing, mount, err)
	}
	id := mountID(mount)
	// The guard: a session of its own, reading fd 3 (a pipe only we hold the write end of).
	pr, pw, err := os.Pipe()
	if err != nil {
		detach(mount)
		return err
	}
	self, _ := os.Executable()
	g := exec.Command(self, "-guard", "-mount", mount, "-mount-id", id, "-lifeline", lifeline)
	g.ExtraFiles = []*os.File{pr}
	g.Stderr = os.Stderr
	g.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := g.Start(); err != nil {
		detach(mount)
		return fmt.Errorf("starting the guard: %w", err)
	}
	pr.Close()
	fmt.Printf("powerfs: %s mounted on %s (mount %s), guard pid %d\n", backing, mount, id, g.Process.Pid)

	guardDone := make(chan struct{})
	go func() {
		g.Wait()
		close(guardDone)
	}()
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGUSR1, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)
	var sig os.Signal
	select {
	case sig = <-sigs:
	case <-guardDone:
		// The guard detached the mount (the run's owner is gone): nothing is left to serve.
		fmt.Println("powerfs: the guard detached the mount; exiting")
		return nil
	}
	if sig == syscall.SIGUSR1 {
		r := p.cut()
		if err := writeReport(reportPath, r); err != nil {
			fmt.Fprintf(os.Stderr, "powerfs: writing the report %s: %v\n", reportPath, err)
		}
		fmt.Printf("powerfs: power cut at %s: %d files went back to their last fsync, dropping %d bytes written since (%d bytes of size, %d pages overwritten)\n", r.CutAt, len(r.Files), r.BytesWritten, r.BytesDropped, r.PagesRestored)
	} else {
		p.mu.Lock()
		p.off = true
		p.mu.Unlock()
		fmt.Printf("powerfs: %s: unmounting\n", sig)
	}
	if err := detach(mount); err != nil {
		fmt.Fprintf(os.Stderr, "powerfs: detaching %s: %v\n", mount, err)
	}
	_ = server // the kernel ends the connection when this process exits
	pw.Close()
	<-guardDone
	return nil
}

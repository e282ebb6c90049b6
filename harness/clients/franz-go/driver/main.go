// The franz-go driver: a kgo.Client behind the JSON-lines protocol of docs/clients/protocol.md.
//
// Goroutines: main reads stdin (and handles `abandon` and the end of stdin itself, at once); the
// worker runs the other commands in order; franz-go runs the promises. Every record gets exactly
// one `result`: from its promise (r.Partition, r.Offset as franz-go reports them for this very
// record, err), from `abandon`, or from the close; a promise that comes after that is a `late`
// line.
package main

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// franzVersion is the franz-go module this driver was built against (go.mod), for the ready line.
func franzVersion() string {
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, dep := range info.Deps {
			if dep.Path == "github.com/twmb/franz-go" {
				return dep.Version
			}
		}
	}
	return "unknown"
}

func now() float64 {
	return float64(time.Now().UnixMicro()) / 1000
}

var outMu sync.Mutex

// emit writes one protocol line; a failed write means the parent is gone.
func emit(v any) {
	b, err := json.Marshal(v)
	if err != nil {
		fmt.Fprintf(os.Stderr, "cannot encode a protocol line: %v\n", err)
		os.Exit(1)
	}
	outMu.Lock()
	defer outMu.Unlock()
	if _, err := os.Stdout.Write(append(b, '\n')); err != nil {
		os.Exit(1)
	}
}

func emitError(kind, field, message, fix string) {
	line := map[string]any{"type": "error", "kind": kind, "message": message}
	if field != "" {
		line["field"] = field
	}
	if fix != "" {
		line["fix"] = fix
	}
	emit(line)
}

type resultLine struct {
	Type      string       `json:"type"`
	Call      int          `json:"call"`
	ID        string       `json:"id"`
	Outcome   string       `json:"outcome"`
	Partition *int32       `json:"partition"`
	Offset    *int64       `json:"offset"`
	At        float64      `json:"at"`
	Reason    string       `json:"reason,omitempty"`
	Error     *driverError `json:"error,omitempty"`
}

type call struct {
	no            int
	open          int
	settled       bool
	transactional bool
	abandoned     bool
	held          []*resultLine
	unanswered    int
	answered      chan struct{} // closed once every record is answered (or the call abandoned)
}

type pending struct {
	call     *call
	id       string
	settled  bool
	answered bool
}

type record struct {
	ID        string            `json:"id"`
	Key       *string           `json:"key"`
	KeyBase64 *string           `json:"keyBase64"`
	Value     string            `json:"value"`
	Headers   map[string]string `json:"headers"`
}

type command struct {
	Op        string   `json:"op"`
	TimeoutMs *int     `json:"timeoutMs"`
	Call      int      `json:"call"`
	Records   []record `json:"records"`
	Commit    *bool    `json:"commit"`

	// A send's call and records, as registered when it was read.
	call *call
	recs []*pending
}

type driver struct {
	s        *startLine
	cl       *kgo.Client
	work     chan *command
	mu       sync.Mutex
	pending  map[string]*pending
	calls    map[int]*call
	closing  bool
	finished bool
	identity *[2]int64
}

func main() {
	if len(os.Args) == 2 && os.Args[1] == "--error-table" {
		emit(tableJSON())
		return
	}
	in := bufio.NewReader(os.Stdin)
	var text []byte
	if len(os.Args) > 1 {
		text = []byte(os.Args[1])
	} else {
		line, err := in.ReadBytes('\n')
		if len(line) == 0 && err != nil {
			emitError("protocol", "", "stdin ended before the start line", "write the start line (docs/clients/protocol.md) first")
			os.Exit(2)
		}
		text = line
	}
	s, err := parseStart(text)
	if err != nil {
		b := err.(*badInput)
		emitError(b.kind, b.field, b.message, b.fix)
		os.Exit(2)
	}
	d := &driver{s: s, work: make(chan *command, 1024), pending: map[string]*pending{}, calls: map[int]*call{}}
	opts := append([]kgo.Opt{kgo.WithLogger(&logBridge{}), kgo.WithHooks(&hooks{})}, s.opts...)
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		emitError("config", "producer", "franz-go refuses the options: "+err.Error(), "change the field the message names")
		os.Exit(2)
	}
	d.cl = cl
	emit(map[string]any{"type": "ready", "protocol": protocolVersion, "driver": "franz-go", "client": "github.com/twmb/franz-go", "version": franzVersion(), "settings": s.settings})
	go d.workLoop()
	d.readLoop(in)
}

// ─── stdin ──────────────────────────────────────────────────────────────────────────────────────

var commandFields = map[string][]string{
	"connect":           {"op", "timeoutMs"},
	"init-transactions": {"op", "timeoutMs"},
	"send":              {"op", "call", "records", "commit"},
	"identity":          {"op"},
	"abandon":           {"op"},
	"close":             {"op", "timeoutMs"},
}

func protocolErr(format string, args ...any) *badInput {
	return &badInput{kind: "protocol", message: fmt.Sprintf(format, args...), fix: "send commands as docs/clients/protocol.md describes them"}
}

func (d *driver) readLoop(in *bufio.Reader) {
	for {
		line, err := in.ReadBytes('\n')
		if len(strings.TrimSpace(string(line))) > 0 {
			cmd, bad := d.check(line)
			if bad != nil {
				emitError(bad.kind, bad.field, bad.message, bad.fix)
				os.Exit(2)
			}
			switch cmd.Op {
			case "abandon":
				d.abandon()
			case "send":
				d.register(cmd)
				d.work <- cmd
			default:
				d.work <- cmd
			}
		}
		if err != nil {
			if err != io.EOF {
				fmt.Fprintf(os.Stderr, "reading stdin: %v\n", err)
			}
			// The parent closed our stdin (or died): settle what is open, say so, exit. The
			// process's exit closes the client's connections.
			d.finish("stdin-closed")
		}
	}
}

func (d *driver) check(line []byte) (*command, *badInput) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(line, &raw); err != nil || raw == nil {
		return nil, protocolErr("a command must be one JSON object")
	}
	var op string
	_ = json.Unmarshal(raw["op"], &op)
	allowed, ok := commandFields[op]
	if !ok {
		return nil, protocolErr("unknown op %s; ops: connect, init-transactions, send, identity, abandon, close", raw["op"])
	}
	for k := range raw {
		found := false
		for _, a := range allowed {
			found = found || a == k
		}
		if !found {
			return nil, protocolErr("%s: unknown field '%s'", op, k)
		}
	}
	var cmd command
	if err := json.Unmarshal(line, &cmd); err != nil {
		return nil, protocolErr("%s: %v", op, err)
	}
	if cmd.TimeoutMs != nil && *cmd.TimeoutMs < 0 {
		return nil, protocolErr("%s: timeoutMs must be a non-negative integer", op)
	}
	if op != "send" {
		return &cmd, nil
	}
	if _, ok := raw["call"]; !ok {
		return nil, protocolErr("send: call must be an integer")
	}
	if len(cmd.Records) == 0 {
		return nil, protocolErr("send: records must be a non-empty array")
	}
	var recs []map[string]json.RawMessage
	_ = json.Unmarshal(raw["records"], &recs)
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, open := d.calls[cmd.Call]; open {
		return nil, protocolErr("send: call %d is already open", cmd.Call)
	}
	ids := map[string]bool{}
	for i, r := range cmd.Records {
		for k := range recs[i] {
			switch k {
			case "id", "key", "keyBase64", "value", "headers":
			case "partition":
				return nil, protocolErr("send: record '%s': the franz-go driver takes no explicit partition (franz-go's partitioner is per client: ManualPartitioner would replace the default one)", r.ID)
			default:
				return nil, protocolErr("send: unknown record field '%s'", k)
			}
		}
		if r.ID == "" {
			return nil, protocolErr("send: a record's id must be a non-empty string")
		}
		if ids[r.ID] || d.pending[r.ID] != nil {
			return nil, protocolErr("send: record id '%s' is already in flight", r.ID)
		}
		ids[r.ID] = true
		if _, ok := recs[i]["key"]; !ok {
			return nil, protocolErr("send: record '%s': key must be a string or null", r.ID)
		}
		if r.KeyBase64 != nil {
			if r.Key != nil {
				return nil, protocolErr("send: record '%s': keyBase64 must come with key null", r.ID)
			}
			if _, err := base64.StdEncoding.DecodeString(*r.KeyBase64); err != nil {
				return nil, protocolErr("send: record '%s': keyBase64 is not base64", r.ID)
			}
		}
	}
	return &cmd, nil
}

// register: a send command's call and records, as it is read; from then on each gets exactly one result.
func (d *driver) register(cmd *command) {
	d.mu.Lock()
	defer d.mu.Unlock()
	c := &call{no: cmd.Call, open: len(cmd.Records), unanswered: len(cmd.Records), transactional: d.s.transactional, answered: make(chan struct{})}
	d.calls[cmd.Call] = c
	cmd.call = c
	for _, r := range cmd.Records {
		p := &pending{call: c, id: r.ID}
		d.pending[r.ID] = p
		cmd.recs = append(cmd.recs, p)
	}
}

// ─── the worker ─────────────────────────────────────────────────────────────────────────────────

func timeout(cmd *command, def int) time.Duration {
	if cmd.TimeoutMs != nil {
		return ms(*cmd.TimeoutMs)
	}
	return ms(def)
}

func (d *driver) workLoop() {
	for cmd := range d.work {
		switch cmd.Op {
		case "connect":
			d.connect(timeout(cmd, 30_000))
		case "init-transactions":
			d.initTransactions(timeout(cmd, 60_000))
		case "send":
			d.send(cmd)
		case "identity":
			d.emitIdentity(true, nil)
		case "close":
			d.mu.Lock()
			d.closing = true
			d.mu.Unlock()
			ctx, cancel := context.WithTimeout(context.Background(), timeout(cmd, 5_000))
			_ = d.cl.Flush(ctx)
			cancel()
			d.cl.Close()
			d.finish("close")
		}
	}
}

func errorOf(err error, class string) *driverError {
	_, e := classify(err, false)
	if class != "" {
		e.Class = class
	}
	return e
}

// connect: the topic's metadata from a broker (and an idempotent producer's id), within the timeout.
func (d *driver) connect(limit time.Duration) {
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	req := kmsg.NewPtrMetadataRequest()
	t := kmsg.NewMetadataRequestTopic()
	t.Topic = kmsg.StringPtr(d.s.topic)
	req.Topics = append(req.Topics, t)
	resp, err := req.RequestWith(ctx, d.cl)
	if err == nil && len(resp.Topics) == 1 && resp.Topics[0].ErrorCode != 0 {
		err = fmt.Errorf("metadata of topic %s: error code %d", d.s.topic, resp.Topics[0].ErrorCode)
	}
	if err == nil && d.s.idempotent {
		_, _, err = d.cl.ProducerID(ctx)
	}
	if err != nil {
		emit(map[string]any{"type": "reply", "op": "connect", "ok": false, "at": now(), "error": errorOf(err, "not-connected")})
		return
	}
	emit(map[string]any{"type": "reply", "op": "connect", "ok": true, "at": now()})
	emit(map[string]any{"type": "event", "event": "connect", "at": now(), "detail": map[string]any{"partitions": len(resp.Topics[0].Partitions), "source": "driver"}})
	d.emitIdentity(false, nil)
}

// initTransactions: franz-go loads the producer id for its transactional id on first need;
// asking for it here does the InitProducerId that fences earlier producers.
func (d *driver) initTransactions(limit time.Duration) {
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	_, _, err := d.cl.ProducerID(ctx)
	if err != nil {
		emit(map[string]any{"type": "reply", "op": "init-transactions", "ok": false, "at": now(), "error": errorOf(err, "")})
		return
	}
	emit(map[string]any{"type": "reply", "op": "init-transactions", "ok": true, "at": now()})
	d.emitIdentity(false, nil)
}

func (d *driver) send(cmd *command) {
	d.mu.Lock()
	finished := d.finished
	d.mu.Unlock()
	if finished {
		return // closing: never handed to the client
	}
	c, mine := cmd.call, cmd.recs
	if c.transactional {
		if err := d.cl.BeginTransaction(); err != nil {
			for _, p := range mine {
				d.complete(p, nil, err)
			}
			d.decideTransaction(c, cmd.Commit == nil || *cmd.Commit)
			return
		}
	}
	for i, r := range cmd.Records {
		// Abandoned records of this call are sent all the same: the application made the call
		// before it gave up waiting; franz-go's answers come as `late` lines.
		p := mine[i]
		// Partition -1: a record failed before franz-go partitioned it keeps it, so its result says null.
		rec := &kgo.Record{Topic: d.s.topic, Partition: -1, Value: []byte(r.Value)}
		switch {
		case r.KeyBase64 != nil:
			rec.Key, _ = base64.StdEncoding.DecodeString(*r.KeyBase64)
		case r.Key != nil:
			rec.Key = []byte(*r.Key)
		}
		for k, v := range r.Headers {
			rec.Headers = append(rec.Headers, kgo.RecordHeader{Key: k, Value: []byte(v)})
		}
		d.cl.Produce(context.Background(), rec, func(r *kgo.Record, err error) { d.complete(p, r, err) })
	}
	if c.transactional {
		d.decideTransaction(c, cmd.Commit == nil || *cmd.Commit)
	}
}

// decideTransaction: every record answered, commit if all are acknowledged (and commit), else
// abort. Records are `ok` only once committed; a call left open reports them `ok` as acknowledged.
func (d *driver) decideTransaction(c *call, commit bool) {
	<-c.answered
	d.mu.Lock()
	if c.abandoned {
		d.mu.Unlock()
		return
	}
	held := append([]*resultLine(nil), c.held...)
	d.mu.Unlock()
	allOk := true
	for _, h := range held {
		allOk = allOk && h.Outcome == "ok"
	}
	if allOk && !commit {
		d.release(c, held)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var commitErr *driverError
	if allOk {
		err := d.cl.EndTransaction(ctx, kgo.TryCommit)
		if err == nil {
			d.release(c, held)
			return
		}
		commitErr = errorOf(err, "")
	}
	aborted := d.cl.AbortBufferedRecords(ctx) == nil && d.cl.EndTransaction(ctx, kgo.TryAbort) == nil
	for _, h := range held {
		if h.Outcome != "ok" && commitErr == nil {
			continue
		}
		h.Outcome, h.Offset, h.Reason = "unknown", nil, "aborted"
		if aborted {
			h.Outcome = "failed"
		}
		if commitErr != nil {
			h.Reason, h.Error = "commit-failed", commitErr
		}
	}
	d.release(c, held)
}

func (d *driver) release(c *call, results []*resultLine) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, r := range results {
		p := d.pending[r.ID]
		if p != nil && p.settled {
			r.Type = "late"
		} else if p != nil {
			d.settle(p)
		}
		emit(r)
		if p != nil && p.answered {
			delete(d.pending, p.id)
		}
	}
	d.afterSettle(c)
}

// ─── completions ────────────────────────────────────────────────────────────────────────────────

// complete: a record's promise, its outcome from franz-go's own answer.
func (d *driver) complete(p *pending, r *kgo.Record, err error) {
	line := &resultLine{Type: "result", Call: p.call.no, ID: p.id, At: now()}
	var seen *[2]int64
	if r != nil && r.Partition >= 0 { // -1 until franz-go's partitioner placed it (send sets it)
		part := r.Partition
		line.Partition = &part
	}
	switch {
	case err == nil && d.s.acks == 0:
		line.Outcome, line.Reason = "unknown", "acks=0"
	case err == nil:
		line.Outcome = "ok"
		if r.Offset >= 0 {
			off := r.Offset
			line.Offset = &off
		}
		if r.ProducerID >= 0 {
			seen = &[2]int64{r.ProducerID, int64(r.ProducerEpoch)}
		}
	default:
		line.Outcome, line.Error = classify(err, false)
		line.Reason = "error"
		d.mu.Lock()
		closing := d.closing
		d.mu.Unlock()
		if closing && (errors.Is(err, kgo.ErrClientClosed) || errors.Is(err, context.Canceled)) {
			line.Reason = "closed"
		}
	}
	d.deliver(p, line, seen)
}

func (d *driver) deliver(p *pending, line *resultLine, seen *[2]int64) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if p.answered {
		return
	}
	p.answered = true
	if p.settled {
		line.Type = "late"
		emit(line)
		delete(d.pending, p.id)
		return
	}
	if p.call.transactional {
		p.call.held = append(p.call.held, line)
		p.call.unanswered--
		if p.call.unanswered == 0 && !p.call.abandoned {
			close(p.call.answered)
		}
		return
	}
	d.settle(p)
	emit(line)
	delete(d.pending, p.id)
	if seen != nil {
		d.seeIdentity(*seen)
	}
	d.afterSettle(p.call)
}

func (d *driver) settle(p *pending) {
	p.settled = true
	p.call.open--
}

func (d *driver) afterSettle(c *call) {
	if c.open > 0 || c.settled {
		return
	}
	c.settled = true
	delete(d.calls, c.no)
	emit(map[string]any{"type": "settled", "call": c.no, "at": now()})
}

// abandon: every open record becomes `unknown` (abandoned) now; franz-go keeps them, and its
// answers come later as `late`.
func (d *driver) abandon() {
	d.mu.Lock()
	defer d.mu.Unlock()
	n := d.settleOpen("abandoned")
	emit(map[string]any{"type": "reply", "op": "abandon", "ok": true, "at": now(), "abandoned": n})
}

func (d *driver) settleOpen(reason string) int {
	var heldAnswers []*resultLine
	for _, c := range d.calls {
		if c.transactional && !c.abandoned {
			// Its transaction is left undecided: what the client answered so far comes as `late`.
			c.abandoned = true
			heldAnswers = append(heldAnswers, c.held...)
			if c.unanswered > 0 {
				close(c.answered)
			}
		}
	}
	n := 0
	for _, p := range d.pending {
		if p.settled {
			continue
		}
		d.settle(p)
		emit(&resultLine{Type: "result", Call: p.call.no, ID: p.id, Outcome: "unknown", At: now(), Reason: reason})
		n++
		if p.answered {
			delete(d.pending, p.id)
		}
	}
	for _, h := range heldAnswers {
		h.Type = "late"
		emit(h)
	}
	for _, c := range d.calls {
		d.afterSettle(c)
	}
	return n
}

func (d *driver) finish(reason string) {
	d.mu.Lock()
	if d.finished {
		d.mu.Unlock()
		select {} // the first finish exits the process
	}
	d.finished = true
	d.closing = true
	n := d.settleOpen("closed")
	emit(map[string]any{"type": "closed", "at": now(), "reason": reason, "unsettled": n})
	os.Exit(0)
}

// ─── identity ───────────────────────────────────────────────────────────────────────────────────

// seeIdentity: called locked, with the producer id and epoch of an acknowledged record.
func (d *driver) seeIdentity(id [2]int64) {
	if d.identity != nil && *d.identity == id {
		return
	}
	d.identity = &id
	emit(map[string]any{"type": "identity", "producerId": id[0], "epoch": id[1], "at": now()})
}

// emitIdentity asks franz-go (ProducerID, which loads it if need be, within 10 s).
func (d *driver) emitIdentity(always bool, _ error) {
	if !d.s.idempotent && !d.s.transactional {
		if always {
			emit(map[string]any{"type": "identity", "producerId": nil, "epoch": nil, "at": now()})
		}
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	id, epoch, err := d.cl.ProducerID(ctx)
	d.mu.Lock()
	defer d.mu.Unlock()
	if err != nil {
		if always {
			emit(map[string]any{"type": "identity", "producerId": nil, "epoch": nil, "at": now()})
		}
		return
	}
	if always {
		d.identity = nil
	}
	d.seeIdentity([2]int64{id, int64(epoch)})
}

// ─── the log and hooks ──────────────────────────────────────────────────────────────────────────

// logBridge: franz-go's log to stderr, and a few of its lines as timeline events.
type logBridge struct{}

func (*logBridge) Level() kgo.LogLevel {
	switch strings.ToLower(os.Getenv("KD_DRIVER_LOG")) {
	case "debug", "trace":
		return kgo.LogLevelDebug
	case "warn":
		return kgo.LogLevelWarn
	case "error":
		return kgo.LogLevelError
	}
	return kgo.LogLevelInfo
}

var logEvents = map[string]string{
	"batch in a produce request failed":                                       "attempt-error",
	"produce request failed, triggering metadata update":                      "attempt-error",
	"produce partition load error, bumping error count on first stored batch": "retry",
	"random error while producing, requeueing unattempted request":            "attempt-error",
}

func (*logBridge) Log(level kgo.LogLevel, msg string, keyvals ...any) {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s %s", time.Now().UTC().Format(time.RFC3339Nano), level, msg)
	detail := map[string]any{"source": "log"}
	for i := 0; i+1 < len(keyvals); i += 2 {
		k := fmt.Sprint(keyvals[i])
		fmt.Fprintf(&b, " %s=%v", k, keyvals[i+1])
		switch v := keyvals[i+1].(type) {
		case error:
			detail[k] = v.Error()
		case string, bool, int, int16, int32, int64:
			detail[k] = v
		default:
			detail[k] = fmt.Sprint(v)
		}
	}
	fmt.Fprintln(os.Stderr, b.String())
	event := logEvents[msg]
	if event == "" && strings.HasPrefix(msg, "batch errored with ") {
		event = "attempt-error"
	}
	if event != "" {
		detail["message"] = msg
		emit(map[string]any{"type": "event", "event": event, "at": now(), "detail": detail})
	}
}

type hooks struct{}

func (*hooks) OnBrokerConnect(meta kgo.BrokerMetadata, _ time.Duration, _ net.Conn, err error) {
	detail := map[string]any{"node": meta.NodeID, "address": net.JoinHostPort(meta.Host, fmt.Sprint(meta.Port)), "source": "hook"}
	if err != nil {
		detail["error"] = err.Error()
		emit(map[string]any{"type": "event", "event": "connect-failed", "at": now(), "detail": detail})
		return
	}
	emit(map[string]any{"type": "event", "event": "connect", "at": now(), "detail": detail})
}

func (*hooks) OnBrokerDisconnect(meta kgo.BrokerMetadata, _ net.Conn) {
	emit(map[string]any{"type": "event", "event": "disconnect", "at": now(), "detail": map[string]any{"node": meta.NodeID, "source": "hook"}})
}

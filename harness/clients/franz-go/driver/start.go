package main

// The start line, checked field by field (an unknown or ill-typed field is refused by its path),
// and the profile mapped onto franz-go's options. Every profile field franz-go cannot honour is
// refused by name, with the fix.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

const protocolVersion = 1

type badInput struct {
	kind, field, message, fix string
}

func (b *badInput) Error() string { return b.field + ": " + b.message }

func configErr(field, message, fix string) *badInput {
	return &badInput{kind: "config", field: field, message: message, fix: fix}
}

type startLine struct {
	topic         string
	clientID      string
	acks          int
	idempotent    bool
	transactional bool
	opts          []kgo.Opt
	// settings in franz-go's own option names, for the ready line
	settings map[string]any
}

// fields reads a JSON object and refuses any key not in allowed, naming it by its path.
func fields(raw json.RawMessage, path string, allowed ...string) (map[string]json.RawMessage, error) {
	var m map[string]json.RawMessage
	if raw == nil || json.Unmarshal(raw, &m) != nil || m == nil {
		return nil, configErr(path, "must be a JSON object", "see docs/clients/protocol.md, 'The start line'")
	}
	ok := map[string]bool{}
	for _, a := range allowed {
		ok[a] = true
	}
	for k := range m {
		if !ok[k] {
			sorted := append([]string(nil), allowed...)
			sort.Strings(sorted)
			return nil, configErr(join(path, k), "unknown field", "remove it; the fields are ["+strings.Join(sorted, ", ")+"]")
		}
	}
	return m, nil
}

func join(path, field string) string {
	if path == "" {
		return field
	}
	return path + "." + field
}

func intField(m map[string]json.RawMessage, path, name string, min int) (*int, error) {
	raw, ok := m[name]
	if !ok {
		return nil, nil
	}
	var f float64
	if json.Unmarshal(raw, &f) != nil || f != float64(int(f)) || int(f) < min || bytes.ContainsAny(raw, ".eE") {
		return nil, configErr(join(path, name), fmt.Sprintf("must be an integer of at least %d (got %s)", min, raw), "give a whole number")
	}
	v := int(f)
	return &v, nil
}

func numField(m map[string]json.RawMessage, path, name string) (*float64, error) {
	raw, ok := m[name]
	if !ok {
		return nil, nil
	}
	var f float64
	if json.Unmarshal(raw, &f) != nil {
		return nil, configErr(join(path, name), fmt.Sprintf("must be a number (got %s)", raw), "give a number")
	}
	return &f, nil
}

func strField(m map[string]json.RawMessage, path, name string, required bool) (*string, error) {
	raw, ok := m[name]
	if !ok {
		if required {
			return nil, configErr(join(path, name), "is required", "give it as a string")
		}
		return nil, nil
	}
	var s string
	if json.Unmarshal(raw, &s) != nil || (required && s == "") {
		return nil, configErr(join(path, name), fmt.Sprintf("must be a non-empty string (got %s)", raw), "give it as a string")
	}
	return &s, nil
}

func boolField(m map[string]json.RawMessage, path, name string) (*bool, error) {
	raw, ok := m[name]
	if !ok {
		return nil, nil
	}
	var b bool
	if json.Unmarshal(raw, &b) != nil {
		return nil, configErr(join(path, name), fmt.Sprintf("must be true or false (got %s)", raw), "give a boolean")
	}
	return &b, nil
}

var hostPort = regexp.MustCompile(`^[^:\s]+:\d+$`)

func parseStart(text []byte) (*startLine, error) {
	top, err := fields(json.RawMessage(text), "", "protocol", "topic", "endpoint", "producer")
	if err != nil {
		if b, ok := err.(*badInput); ok && b.field == "" {
			b.message = "the start line must be one JSON object"
		}
		return nil, err
	}
	if p, err := intField(top, "", "protocol", 0); err != nil || p == nil || *p != protocolVersion {
		return nil, configErr("protocol", fmt.Sprintf("must be %d (got %s)", protocolVersion, top["protocol"]), "start the driver with the protocol version of harness/clients/protocol.ts")
	}
	s := &startLine{acks: -1, settings: map[string]any{}}
	topic, err := strField(top, "", "topic", true)
	if err != nil {
		return nil, err
	}
	s.topic = *topic

	ep, err := fields(top["endpoint"], "endpoint", "clientId", "brokers", "connectionTimeoutMs", "requestTimeoutMs")
	if err != nil {
		return nil, err
	}
	clientID, err := strField(ep, "endpoint", "clientId", true)
	if err != nil {
		return nil, err
	}
	s.clientID = *clientID
	var brokers []string
	if json.Unmarshal(ep["brokers"], &brokers) != nil || len(brokers) == 0 {
		return nil, configErr("endpoint.brokers", "must be a non-empty array of host:port strings", "give the cluster's client proxies")
	}
	for _, b := range brokers {
		if !hostPort.MatchString(b) {
			return nil, configErr("endpoint.brokers", fmt.Sprintf("each must be a host:port string (got %q)", b), "give the cluster's client proxies")
		}
	}
	s.opts = append(s.opts, kgo.SeedBrokers(brokers...), kgo.ClientID(s.clientID), kgo.DefaultProduceTopic(s.topic))
	s.settings["SeedBrokers"] = strings.Join(brokers, ",")
	s.settings["ClientID"] = s.clientID
	if v, err := intField(ep, "endpoint", "connectionTimeoutMs", 1); err != nil {
		return nil, err
	} else if v != nil {
		s.opts = append(s.opts, kgo.DialTimeout(ms(*v)))
		s.settings["DialTimeout"] = ms(*v).String()
	}
	requestTimeout, err := intField(ep, "endpoint", "requestTimeoutMs", 1)
	if err != nil {
		return nil, err
	}
	if requestTimeout != nil {
		// franz-go waits for a produce answer ProduceRequestTimeout plus RequestTimeoutOverhead,
		// for any other request the overhead (plus the request's own timeout, if it has one).
		s.opts = append(s.opts, kgo.RequestTimeoutOverhead(ms(*requestTimeout)))
		s.settings["RequestTimeoutOverhead"] = ms(*requestTimeout).String()
	}

	p, err := fields(top["producer"], "producer", "acks", "ackTimeoutMs", "idempotent", "retries", "retryBackoff", "requestsInFlight", "callsInFlight",
		"recordsPerCall", "compression", "lingerMs", "batchBytes", "partitioner", "transactionalId", "transactionTimeoutMs", "metadataMaxAgeMs")
	if err != nil {
		return nil, err
	}
	if raw, ok := p["acks"]; ok {
		switch strings.TrimSpace(string(raw)) {
		case `"all"`, "-1":
			s.acks = -1
		case "1":
			s.acks = 1
		case "0":
			s.acks = 0
		default:
			return nil, configErr("producer.acks", fmt.Sprintf("must be -1, 0 or 1 (got %s)", raw), "use -1 (all in-sync replicas), 1 (the leader) or 0 (no answer)")
		}
		switch s.acks {
		case -1:
			s.opts = append(s.opts, kgo.RequiredAcks(kgo.AllISRAcks()))
		case 1:
			s.opts = append(s.opts, kgo.RequiredAcks(kgo.LeaderAck()))
		case 0:
			s.opts = append(s.opts, kgo.RequiredAcks(kgo.NoAck()))
		}
		s.settings["RequiredAcks"] = s.acks
	}
	if v, err := intField(p, "producer", "ackTimeoutMs", 1); err != nil {
		return nil, err
	} else if v != nil {
		s.opts = append(s.opts, kgo.ProduceRequestTimeout(ms(*v)))
		s.settings["ProduceRequestTimeout"] = ms(*v).String()
	}
	idem, err := boolField(p, "producer", "idempotent")
	if err != nil {
		return nil, err
	}
	txnID, err := strField(p, "producer", "transactionalId", false)
	if err != nil {
		return nil, err
	}
	if txnID != nil && strings.TrimSpace(*txnID) == "" {
		return nil, configErr("producer.transactionalId", "must not be empty", "give a transactional id, or leave it out")
	}
	s.transactional = txnID != nil
	switch {
	case idem != nil && *idem && s.acks != -1:
		return nil, configErr("producer.idempotent", "franz-go's idempotent producer needs acks -1 (all)", "set producer.acks to -1, or producer.idempotent to false")
	case idem != nil && !*idem && s.transactional:
		return nil, configErr("producer.idempotent", "a transactional producer is idempotent", "leave producer.idempotent out, or set it true")
	case (idem != nil && !*idem) || (idem == nil && s.acks != -1):
		// franz-go is idempotent by default and refuses acks other than all then; like
		// kafka-clients, an unset idempotent with acks 0 or 1 means a non-idempotent producer.
		s.opts = append(s.opts, kgo.DisableIdempotentWrite())
		s.settings["DisableIdempotentWrite"] = true
	default:
		s.idempotent = true
	}
	if v, err := intField(p, "producer", "retries", 0); err != nil {
		return nil, err
	} else if v != nil {
		s.opts = append(s.opts, kgo.RecordRetries(*v))
		s.settings["RecordRetries"] = *v
	}
	if raw, ok := p["retryBackoff"]; ok {
		b, err := fields(raw, "producer.retryBackoff", "initialMs", "maxMs", "multiplier", "jitter")
		if err != nil {
			return nil, err
		}
		// franz-go's default: 250 ms doubling to 5 s, each randomised to 0.8–1.2 of itself.
		initial, max, mult, jitter := 250.0, 5000.0, 2.0, 0.2
		if v, err := intField(b, "producer.retryBackoff", "initialMs", 0); err != nil {
			return nil, err
		} else if v != nil {
			initial = float64(*v)
		}
		if v, err := intField(b, "producer.retryBackoff", "maxMs", 0); err != nil {
			return nil, err
		} else if v != nil {
			max = float64(*v)
		}
		if v, err := numField(b, "producer.retryBackoff", "multiplier"); err != nil {
			return nil, err
		} else if v != nil {
			if *v < 1 {
				return nil, configErr("producer.retryBackoff.multiplier", fmt.Sprintf("must be at least 1 (got %v)", *v), "give a factor of 1 or more")
			}
			mult = *v
		}
		if v, err := numField(b, "producer.retryBackoff", "jitter"); err != nil {
			return nil, err
		} else if v != nil {
			if *v < 0 || *v > 1 {
				return nil, configErr("producer.retryBackoff.jitter", fmt.Sprintf("must be within 0..1 (got %v)", *v), "give a fraction")
			}
			jitter = *v
		}
		var mu sync.Mutex
		rng := rand.New(rand.NewSource(time.Now().UnixNano()))
		s.opts = append(s.opts, kgo.RetryBackoffFn(func(fails int) time.Duration {
			d := initial
			for i := 1; i < fails && d < max; i++ {
				d *= mult
			}
			if d > max {
				d = max
			}
			mu.Lock()
			r := 1 - jitter + 2*jitter*rng.Float64()
			mu.Unlock()
			return time.Duration(d * r * float64(time.Millisecond))
		}))
		s.settings["RetryBackoffFn"] = fmt.Sprintf("%gms×%g^n up to %gms, ±%g", initial, mult, max, jitter)
	}
	if v, err := intField(p, "producer", "requestsInFlight", 1); err != nil {
		return nil, err
	} else if v != nil {
		if s.idempotent || s.transactional {
			return nil, configErr("producer.requestsInFlight", "franz-go ignores it for an idempotent producer (always 5 requests per broker, ordered by sequence numbers)",
				"leave it out, or set producer.idempotent to false")
		}
		s.opts = append(s.opts, kgo.MaxProduceRequestsInflightPerBroker(*v))
		s.settings["MaxProduceRequestsInflightPerBroker"] = *v
	}
	for _, name := range []string{"callsInFlight", "recordsPerCall"} { // the parent's business
		if _, err := intField(p, "producer", name, 1); err != nil {
			return nil, err
		}
	}
	if c, err := strField(p, "producer", "compression", false); err != nil {
		return nil, err
	} else if c != nil {
		codecs := map[string]kgo.CompressionCodec{"none": kgo.NoCompression(), "gzip": kgo.GzipCompression(), "snappy": kgo.SnappyCompression(), "lz4": kgo.Lz4Compression(), "zstd": kgo.ZstdCompression()}
		codec, ok := codecs[*c]
		if !ok {
			return nil, configErr("producer.compression", fmt.Sprintf("must be one of none, gzip, snappy, lz4, zstd (got %q)", *c), "pick one of them")
		}
		s.opts = append(s.opts, kgo.ProducerBatchCompression(codec))
		s.settings["ProducerBatchCompression"] = *c
	} else {
		s.settings["ProducerBatchCompression"] = "snappy, none (franz-go's default)"
	}
	if v, err := intField(p, "producer", "lingerMs", 0); err != nil {
		return nil, err
	} else if v != nil {
		s.opts = append(s.opts, kgo.ProducerLinger(ms(*v)))
		s.settings["ProducerLinger"] = ms(*v).String()
	}
	if v, err := intField(p, "producer", "batchBytes", 1); err != nil {
		return nil, err
	} else if v != nil {
		s.opts = append(s.opts, kgo.ProducerBatchMaxBytes(int32(*v)))
		s.settings["ProducerBatchMaxBytes"] = *v
	}
	if v, err := strField(p, "producer", "partitioner", false); err != nil {
		return nil, err
	} else if v != nil {
		switch *v {
		case "default":
			s.settings["RecordPartitioner"] = "default: UniformBytesPartitioner(64KiB, adaptive, keys: murmur2)"
		case "murmur2":
			s.opts = append(s.opts, kgo.RecordPartitioner(kgo.StickyKeyPartitioner(nil)))
			s.settings["RecordPartitioner"] = "StickyKeyPartitioner(murmur2)"
		default:
			return nil, configErr("producer.partitioner", fmt.Sprintf("must be \"default\" or \"murmur2\" (got %q)", *v), "pick one of them")
		}
	}
	if txnID != nil {
		s.opts = append(s.opts, kgo.TransactionalID(*txnID))
		s.settings["TransactionalID"] = *txnID
	}
	if v, err := intField(p, "producer", "transactionTimeoutMs", 1); err != nil {
		return nil, err
	} else if v != nil {
		s.opts = append(s.opts, kgo.TransactionTimeout(ms(*v)))
		s.settings["TransactionTimeout"] = ms(*v).String()
	}
	if v, err := intField(p, "producer", "metadataMaxAgeMs", 0); err != nil {
		return nil, err
	} else if v != nil {
		s.opts = append(s.opts, kgo.MetadataMaxAge(ms(*v)))
		s.settings["MetadataMaxAge"] = ms(*v).String()
	}
	return s, nil
}

func ms(n int) time.Duration { return time.Duration(n) * time.Millisecond }

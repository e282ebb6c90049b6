package main

// A franz-go produce error → the record's outcome and the protocol's error object. A Kafka error
// (kerr) is looked up in the protocol's table (harness/clients/protocol.ts, KAFKA_ERROR_CODES).
// Beyond the table:
//
//   - ErrRecordTimeout, ErrRecordRetries: class timeout / retriable, `unknown`. With idempotence
//     franz-go fails a record this way only when no request for it is outstanding, but the promise
//     does not say whether an earlier request of it was answered with a write;
//   - ErrClientClosed, ErrAborting, a canceled context: `unknown` (class fatal), reason closed
//     when the driver is closing;
//   - ErrMaxBuffered, errors before anything was buffered (refused in Produce): `failed`,
//     class client-refused;
//   - a network error: class connection, `unknown`;
//   - anything else: retriable or fatal by kerr.IsRetriable, `unknown`.

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sort"
	"strconv"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
)

type tableEntry struct {
	Type    string `json:"type"`
	Class   string `json:"class"`
	Outcome string `json:"outcome"`
}

var errorTable = map[int16]tableEntry{
	2:  {"CORRUPT_MESSAGE", "fatal", "failed"},
	3:  {"UNKNOWN_TOPIC_OR_PARTITION", "not-leader", "failed"},
	5:  {"LEADER_NOT_AVAILABLE", "not-leader", "failed"},
	6:  {"NOT_LEADER_OR_FOLLOWER", "not-leader", "failed"},
	7:  {"REQUEST_TIMED_OUT", "timeout", "unknown"},
	10: {"MESSAGE_TOO_LARGE", "record-too-large", "failed"},
	13: {"NETWORK_EXCEPTION", "connection", "unknown"},
	17: {"INVALID_TOPIC_EXCEPTION", "fatal", "failed"},
	18: {"RECORD_LIST_TOO_LARGE", "record-too-large", "failed"},
	19: {"NOT_ENOUGH_REPLICAS", "not-enough-replicas", "failed"},
	20: {"NOT_ENOUGH_REPLICAS_AFTER_APPEND", "not-enough-replicas-after-append", "unknown"},
	21: {"INVALID_REQUIRED_ACKS", "fatal", "failed"},
	29: {"TOPIC_AUTHORIZATION_FAILED", "authorization", "failed"},
	31: {"CLUSTER_AUTHORIZATION_FAILED", "authorization", "failed"},
	32: {"INVALID_TIMESTAMP", "fatal", "failed"},
	35: {"UNSUPPORTED_VERSION", "fatal", "failed"},
	43: {"UNSUPPORTED_FOR_MESSAGE_FORMAT", "fatal", "failed"},
	44: {"POLICY_VIOLATION", "fatal", "failed"},
	45: {"OUT_OF_ORDER_SEQUENCE_NUMBER", "out-of-order-sequence", "failed"},
	46: {"DUPLICATE_SEQUENCE_NUMBER", "duplicate-sequence", "unknown"},
	47: {"INVALID_PRODUCER_EPOCH", "fenced", "failed"},
	48: {"INVALID_TXN_STATE", "producer-state", "failed"},
	49: {"INVALID_PRODUCER_ID_MAPPING", "producer-state", "failed"},
	53: {"TRANSACTIONAL_ID_AUTHORIZATION_FAILED", "authorization", "failed"},
	59: {"UNKNOWN_PRODUCER_ID", "producer-state", "failed"},
	74: {"FENCED_LEADER_EPOCH", "not-leader", "failed"},
	75: {"UNKNOWN_LEADER_EPOCH", "not-leader", "failed"},
	76: {"UNSUPPORTED_COMPRESSION_TYPE", "fatal", "failed"},
	87: {"INVALID_RECORD", "fatal", "failed"},
	90: {"PRODUCER_FENCED", "fenced", "failed"},
}

// printTable writes the table as `--error-table` prints it: codes as keys, in order.
func tableJSON() map[string]tableEntry {
	out := map[string]tableEntry{}
	codes := make([]int, 0, len(errorTable))
	for c := range errorTable {
		codes = append(codes, int(c))
	}
	sort.Ints(codes)
	for _, c := range codes {
		out[strconv.Itoa(c)] = errorTable[int16(c)]
	}
	return out
}

type driverError struct {
	Class     string     `json:"class"`
	Name      string     `json:"name"`
	Message   string     `json:"message"`
	Retriable bool       `json:"retriable"`
	Code      *int16     `json:"code,omitempty"`
	Type      string     `json:"type,omitempty"`
	Cause     *errorName `json:"cause,omitempty"`
}

type errorName struct {
	Name    string `json:"name"`
	Message string `json:"message"`
}

func errName(err error) string {
	var ke *kerr.Error
	if errors.As(err, &ke) {
		return "kerr." + ke.Message
	}
	switch {
	case errors.Is(err, kgo.ErrRecordTimeout):
		return "kgo.ErrRecordTimeout"
	case errors.Is(err, kgo.ErrRecordRetries):
		return "kgo.ErrRecordRetries"
	case errors.Is(err, kgo.ErrClientClosed):
		return "kgo.ErrClientClosed"
	case errors.Is(err, kgo.ErrAborting):
		return "kgo.ErrAborting"
	case errors.Is(err, kgo.ErrMaxBuffered):
		return "kgo.ErrMaxBuffered"
	case errors.Is(err, context.Canceled):
		return "context.Canceled"
	case errors.Is(err, context.DeadlineExceeded):
		return "context.DeadlineExceeded"
	}
	return fmt.Sprintf("%T", err)
}

// classify: refusedInProduce is true when the error came before Produce returned, the record never buffered.
func classify(err error, refusedInProduce bool) (outcome string, e *driverError) {
	e = &driverError{Name: errName(err), Message: err.Error()}
	var ke *kerr.Error
	isKerr := errors.As(err, &ke)
	if isKerr {
		code := ke.Code
		e.Code = &code
		e.Type = ke.Message
		e.Retriable = ke.Retriable
		if ke != err {
			e.Cause = &errorName{Name: "kerr." + ke.Message, Message: ke.Description}
		}
	} else {
		e.Retriable = kerr.IsRetriable(err)
		if u := errors.Unwrap(err); u != nil {
			e.Cause = &errorName{Name: errName(u), Message: u.Error()}
		}
	}
	var netErr net.Error
	switch {
	case refusedInProduce || errors.Is(err, kgo.ErrMaxBuffered):
		outcome, e.Class = "failed", "client-refused"
	case errors.Is(err, kgo.ErrRecordTimeout):
		// May wrap the last error of an unknown topic (producer.go): still, nobody says it was not sent.
		outcome, e.Class = "unknown", "timeout"
	case errors.Is(err, kgo.ErrRecordRetries):
		outcome, e.Class = "unknown", "retriable"
	case isKerr:
		if t, ok := errorTable[ke.Code]; ok {
			outcome, e.Class = t.Outcome, t.Class
		} else if ke.Retriable {
			outcome, e.Class = "unknown", "retriable"
		} else {
			outcome, e.Class = "unknown", "fatal"
		}
	case errors.Is(err, kgo.ErrClientClosed), errors.Is(err, kgo.ErrAborting), errors.Is(err, context.Canceled):
		outcome, e.Class = "unknown", "fatal"
	case errors.As(err, &netErr):
		outcome, e.Class = "unknown", "connection"
	case e.Retriable:
		outcome, e.Class = "unknown", "retriable"
	default:
		outcome, e.Class = "unknown", "unclassified"
	}
	return outcome, e
}

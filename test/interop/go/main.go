// Command franzgo-interop is the franz-go side of test/interop/franz-go.test.ts: a Kafka client
// built on github.com/twmb/franz-go (kgo, and kadm for admin requests), run against a Samsa
// broker. It speaks the JSON lines of test/interop/client-records.ts:
//
//	create  BOOTSTRAP TOPIC PARTITIONS   kadm CreateTopics
//	produce BOOTSTRAP TOPIC CODEC        an idempotent producer (franz-go's default; acks=all)
//	                                     writes the records on stdin (explicit partitions and
//	                                     timestamps, CODEC compression); one ack line each
//	consume BOOTSTRAP TOPIC GROUP COUNT  a member of GROUP (no auto-commit) polls until COUNT
//	                                     records, commits them, and prints the records, its
//	                                     assignment and the group's offsets (kadm FetchOffsets)
//
// Errors end the process with a message on stderr and exit code 1.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"runtime/debug"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

const clientID = "samsa-interop-franz-go"

type header struct {
	Key   string `json:"key"`
	Value []byte `json:"value"`
}

// inRecord is a record to produce, as read from stdin ([]byte fields are base64 in JSON).
type inRecord struct {
	Key       []byte   `json:"key"`
	Value     []byte   `json:"value"`
	Headers   []header `json:"headers"`
	Partition int32    `json:"partition"`
	Timestamp int64    `json:"timestamp"`
}

type ackLine struct {
	Type      string `json:"type"`
	Index     int    `json:"index"`
	Partition int32  `json:"partition"`
	Offset    int64  `json:"offset"`
}

type recordLine struct {
	Type      string   `json:"type"`
	Member    int      `json:"member"`
	Partition int32    `json:"partition"`
	Offset    int64    `json:"offset"`
	Key       []byte   `json:"key"`
	Value     []byte   `json:"value"`
	Headers   []header `json:"headers"`
	Timestamp int64    `json:"timestamp"`
}

var out = json.NewEncoder(os.Stdout)

func emit(v interface{}) {
	if err := out.Encode(v); err != nil {
		fail("writing stdout: %v", err)
	}
}

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, format+"\n", args...)
	os.Exit(1)
}

func newClient(bootstrap string, opts ...kgo.Opt) *kgo.Client {
	cl, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(bootstrap), kgo.ClientID(clientID)}, opts...)...)
	if err != nil {
		fail("new client: %v", err)
	}
	return cl
}

func create(ctx context.Context, bootstrap, topic string, partitions int32) {
	cl := newClient(bootstrap)
	defer cl.Close()
	if _, err := kadm.NewClient(cl).CreateTopic(ctx, partitions, 1, nil, topic); err != nil {
		fail("create topic %s: %v", topic, err)
	}
	emit(map[string]string{"type": "created", "topic": topic, "version": franzGoVersion()})
}

// franzGoVersion is the franz-go version built in, as go.mod and go.sum chose it.
func franzGoVersion() string {
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, dep := range info.Deps {
			if dep.Path == "github.com/twmb/franz-go" {
				return dep.Version
			}
		}
	}
	return "unknown"
}

func codec(name string) kgo.CompressionCodec {
	switch name {
	case "none":
		return kgo.NoCompression()
	case "gzip":
		return kgo.GzipCompression()
	case "snappy":
		return kgo.SnappyCompression()
	case "lz4":
		return kgo.Lz4Compression()
	case "zstd":
		return kgo.ZstdCompression()
	}
	fail("unknown codec %s", name)
	return kgo.NoCompression()
}

func readRecords(topic string) []*kgo.Record {
	var records []*kgo.Record
	scanner := bufio.NewScanner(os.Stdin)
	scanner.Buffer(make([]byte, 1<<20), 16<<20)
	for scanner.Scan() {
		if len(scanner.Bytes()) == 0 {
			continue
		}
		var in inRecord
		if err := json.Unmarshal(scanner.Bytes(), &in); err != nil {
			fail("bad input line: %v", err)
		}
		r := &kgo.Record{
			Topic:     topic,
			Key:       in.Key,
			Value:     in.Value,
			Partition: in.Partition,
			Timestamp: time.UnixMilli(in.Timestamp),
		}
		for _, h := range in.Headers {
			r.Headers = append(r.Headers, kgo.RecordHeader{Key: h.Key, Value: h.Value})
		}
		records = append(records, r)
	}
	if err := scanner.Err(); err != nil {
		fail("reading stdin: %v", err)
	}
	return records
}

func produce(ctx context.Context, bootstrap, topic, codecName string) {
	records := readRecords(topic)
	cl := newClient(bootstrap,
		kgo.RecordPartitioner(kgo.ManualPartitioner()),
		kgo.ProducerBatchCompression(codec(codecName)),
		kgo.RequiredAcks(kgo.AllISRAcks()),
		kgo.ProducerLinger(5*time.Millisecond),
	)
	defer cl.Close()
	index := make(map[*kgo.Record]int, len(records))
	for i, r := range records {
		index[r] = i
	}
	// ProduceSync answers in the order the acks came, not the order of the records.
	for _, res := range cl.ProduceSync(ctx, records...) {
		i := index[res.Record]
		if res.Err != nil {
			fail("record %d: %v", i, res.Err)
		}
		emit(ackLine{Type: "ack", Index: i, Partition: res.Record.Partition, Offset: res.Record.Offset})
	}
}

func consume(ctx context.Context, bootstrap, topic, group string, count int) {
	var mu sync.Mutex
	var assigned []int32
	cl := newClient(bootstrap,
		kgo.ConsumerGroup(group),
		kgo.ConsumeTopics(topic),
		kgo.DisableAutoCommit(),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.SessionTimeout(6*time.Second),
		kgo.HeartbeatInterval(500*time.Millisecond),
		kgo.FetchMaxWait(200*time.Millisecond),
		kgo.OnPartitionsAssigned(func(_ context.Context, _ *kgo.Client, m map[string][]int32) {
			mu.Lock()
			defer mu.Unlock()
			assigned = append(assigned, m[topic]...)
		}),
		kgo.OnPartitionsRevoked(func(_ context.Context, _ *kgo.Client, m map[string][]int32) {
			mu.Lock()
			defer mu.Unlock()
			assigned = nil
		}),
	)
	defer cl.Close()
	seen := 0
	for seen < count {
		fetches := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			fail("timed out with %d of %d records", seen, count)
		}
		fetches.EachError(func(t string, p int32, err error) {
			fail("fetch %s-%d: %v", t, p, err)
		})
		fetches.EachRecord(func(r *kgo.Record) {
			line := recordLine{
				Type:      "record",
				Partition: r.Partition,
				Offset:    r.Offset,
				Key:       r.Key,
				Value:     r.Value,
				Headers:   []header{},
				Timestamp: r.Timestamp.UnixMilli(),
			}
			for _, h := range r.Headers {
				line.Headers = append(line.Headers, header{Key: h.Key, Value: h.Value})
			}
			emit(line)
			seen++
		})
	}
	if err := cl.CommitUncommittedOffsets(ctx); err != nil {
		fail("commit: %v", err)
	}
	mu.Lock()
	partitions := append([]int32(nil), assigned...)
	mu.Unlock()
	sort.Slice(partitions, func(i, j int) bool { return partitions[i] < partitions[j] })
	emit(map[string]interface{}{"type": "assignment", "member": 0, "partitions": partitions})

	fetched, err := kadm.NewClient(cl).FetchOffsets(ctx, group)
	if err != nil {
		fail("fetch offsets: %v", err)
	}
	offsets := map[string]int64{}
	fetched.Each(func(o kadm.OffsetResponse) {
		if o.Err != nil {
			fail("fetch offset %s-%d: %v", o.Topic, o.Partition, o.Err)
		}
		if o.Topic == topic {
			offsets[strconv.Itoa(int(o.Partition))] = o.At
		}
	})
	emit(map[string]interface{}{"type": "committed", "member": 0, "offsets": offsets})
}

func atoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		fail("not a number: %s", s)
	}
	return n
}

func main() {
	if len(os.Args) < 4 {
		fail("usage: %s create|produce|consume BOOTSTRAP TOPIC ...", os.Args[0])
	}
	ctx, cancel := context.WithTimeout(context.Background(), 45*time.Second)
	defer cancel()
	command, bootstrap, topic := os.Args[1], os.Args[2], os.Args[3]
	switch {
	case command == "create" && len(os.Args) == 5:
		create(ctx, bootstrap, topic, int32(atoi(os.Args[4])))
	case command == "produce" && len(os.Args) == 5:
		produce(ctx, bootstrap, topic, os.Args[4])
	case command == "consume" && len(os.Args) == 6:
		consume(ctx, bootstrap, topic, os.Args[4], atoi(os.Args[5]))
	default:
		fail("bad command line: %v", os.Args[1:])
	}
}

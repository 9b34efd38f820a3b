package galileo

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"
)

// pollGroups holds the poll group of every project some wait polls, by
// client and project.
var pollGroups = struct {
	sync.Mutex
	m map[pollGroupKey]*pollGroup
}{m: map[pollGroupKey]*pollGroup{}}

type pollGroupKey struct {
	c   *Client
	pid string
}

// gatherWindow is how long a poll group waits, once asked, for other
// waits of the project to ask too before it sends the request.
const gatherWindow = 5 * time.Millisecond

// pollGroup polls every experiment some wait of one project waits on with
// one request (POST /projects/{pid}/experiments/search, an id one_of
// filter), and hands each answer to every wait: a wait re-plans from any
// fresh state, so waits of similar experiments keep asking at the same
// time, and one request serves them all. Its goroutine runs while a wait
// is joined.
type pollGroup struct {
	key     pollGroupKey
	cancel  context.CancelFunc
	wake    chan struct{} // 1-buffered: a poll is asked for
	mu      sync.Mutex
	members []*pollMember
}

// pollMember is one wait's place in a group; it is the wait's pollSource.
type pollMember struct {
	g   *pollGroup
	eid string
	ch  chan pollResult // 1-buffered: the newest answer
}

// joinPollGroup adds a wait on experiment eid to the group of its project,
// starting the group when it is the first.
func joinPollGroup(ctx context.Context, c *Client, pid, eid string) *pollMember {
	pollGroups.Lock()
	defer pollGroups.Unlock()
	key := pollGroupKey{c, pid}
	g := pollGroups.m[key]
	if g == nil {
		gctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		g = &pollGroup{key: key, cancel: cancel, wake: make(chan struct{}, 1)}
		pollGroups.m[key] = g
		go g.run(gctx)
	}
	m := &pollMember{g: g, eid: eid, ch: make(chan pollResult, 1)}
	g.mu.Lock()
	g.members = append(g.members, m)
	g.mu.Unlock()
	return m
}

// leave removes the wait from its group, stopping the group when it was
// the last.
func (m *pollMember) leave() {
	pollGroups.Lock()
	defer pollGroups.Unlock()
	g := m.g
	g.mu.Lock()
	g.members = slices.DeleteFunc(g.members, func(x *pollMember) bool { return x == m })
	empty := len(g.members) == 0
	g.mu.Unlock()
	if empty {
		delete(pollGroups.m, g.key)
		g.cancel()
	}
}

func (m *pollMember) request() {
	select {
	case m.g.wake <- struct{}{}:
	default:
	}
}

func (m *pollMember) results() <-chan pollResult { return m.ch }

// deliver hands r to the member, replacing an answer it has not read.
func (m *pollMember) deliver(r pollResult) {
	for {
		select {
		case m.ch <- r:
			return
		default:
		}
		select {
		case <-m.ch:
		default:
		}
	}
}

func (g *pollGroup) run(ctx context.Context) {
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-g.wake:
		}
		t.Reset(gatherWindow)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		g.mu.Lock()
		members := slices.Clone(g.members)
		g.mu.Unlock()
		g.poll(ctx, members)
	}
}

// poll sends one search for the members' experiments (in pages of
// DefaultPageSize ids) and delivers the answers.
func (g *pollGroup) poll(ctx context.Context, members []*pollMember) {
	var ids []string
	for _, m := range members {
		if !slices.Contains(ids, m.eid) {
			ids = append(ids, m.eid)
		}
	}
	for chunk := range slices.Chunk(ids, DefaultPageSize) {
		res, err := g.key.c.Experiments.Search(ctx, g.key.pid, ExperimentSearchRequest{
			Limit: len(chunk), IncludeCounts: true,
			Filters: []Filter{valueFilter(Filter{Name: "id"}, chunk)},
		})
		if ctx.Err() != nil {
			return
		}
		for _, m := range members {
			if !slices.Contains(chunk, m.eid) {
				continue
			}
			if err != nil {
				m.deliver(pollResult{err: err})
				continue
			}
			r := pollResult{err: fmt.Errorf("galileo: experiment %s in project %s: %w", m.eid, g.key.pid, ErrNotFound)}
			for i := range res.Experiments {
				if res.Experiments[i].ID == m.eid {
					x := res.Experiments[i]
					r = pollResult{resp: &x}
				}
			}
			m.deliver(r)
		}
	}
}

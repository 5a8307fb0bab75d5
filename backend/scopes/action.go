package scopes

import (
	"fmt"
	"strings"
)

// Action is a set of repo record operations. The constants are single
// actions; they combine with |.
type Action uint8

// Repo actions, in the spec's order.
const (
	ActionCreate Action = 1 << iota
	ActionUpdate
	ActionDelete

	// AllActions is what a repo permission without "action" allows.
	AllActions = ActionCreate | ActionUpdate | ActionDelete
)

var actionNames = []struct {
	a    Action
	name string
}{
	{ActionCreate, "create"},
	{ActionUpdate, "update"},
	{ActionDelete, "delete"},
}

// ParseAction parses one repo action name ("create", "update", "delete").
func ParseAction(name string) (Action, error) {
	for _, n := range actionNames {
		if n.name == name {
			return n.a, nil
		}
	}
	return 0, fmt.Errorf("scopes: unknown repo action %q", name)
}

// actionsOf returns the actions named, or AllActions when none are; names
// are trusted to be valid (indigo checked them).
func actionsOf(names []string) Action {
	if len(names) == 0 {
		return AllActions
	}
	var a Action
	for _, n := range names {
		if x, err := ParseAction(n); err == nil {
			a |= x
		}
	}
	return a
}

// Names returns the names of the actions in a, in the spec's order.
func (a Action) Names() []string {
	var out []string
	for _, n := range actionNames {
		if a&n.a != 0 {
			out = append(out, n.name)
		}
	}
	return out
}

// String returns the action names joined by "|", or "none".
func (a Action) String() string {
	if a&AllActions == 0 {
		return "none"
	}
	return strings.Join(a.Names(), "|")
}

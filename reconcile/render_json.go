package reconcile

import (
	"encoding/json"
	"io"
	"strings"

	"github.com/seesaw-lb/seesaw/kernel"
)

// JSONPlan is the --output json form of a plan.
type JSONPlan struct {
	Changes    []JSONStep     `json:"changes"`
	Summary    map[string]int `json:"summary"`
	Owned      int            `json:"owned_services"`
	Held       bool           `json:"held"`
	HeldReason string         `json:"held_reason,omitempty"`
	// HeldChanges are the steps the guard held back (not in Changes).
	HeldChanges []JSONStep `json:"held_changes,omitempty"`
}

// JSONStep is one step: the action ("add", "change", "delete"), the object
// ("service", "destination") and the settings before and after.
type JSONStep struct {
	Action      string `json:"action"`
	Object      string `json:"object"`
	Service     string `json:"service"`
	Destination string `json:"destination,omitempty"`
	Reason      string `json:"reason,omitempty"`
	// Check is set for the steps of a check service (dsr/tunnel checks).
	Check bool              `json:"check,omitempty"`
	Old   map[string]string `json:"old,omitempty"`
	New   map[string]string `json:"new,omitempty"`
	Line  string            `json:"line"`
}

// RenderJSON writes the plan as indented JSON.
func RenderJSON(w io.Writer, p Plan) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(NewJSONPlan(p))
}

// NewJSONPlan returns the JSON form of p, for callers that add to it.
func NewJSONPlan(p Plan) JSONPlan {
	jp := JSONPlan{Changes: []JSONStep{}, Summary: map[string]int{}, Owned: p.Owned, Held: p.Held, HeldReason: p.HeldReason}
	for k, n := range p.Count() {
		jp.Summary[strings.ReplaceAll(k.String(), " ", "_")] = n
	}
	for _, s := range p.Steps {
		jp.Changes = append(jp.Changes, jsonStep(s))
	}
	for _, s := range p.HeldSteps {
		jp.HeldChanges = append(jp.HeldChanges, jsonStep(s))
	}
	return jp
}

func jsonStep(s Step) JSONStep {
	op := s.Op
	js := JSONStep{Service: op.Service.String(), Reason: s.Reason.String(), Line: StepLine(s), Check: s.Check}
	f := op.Service.Family
	switch op.Kind {
	case kernel.AddService:
		js.Action, js.Object, js.New = "add", "service", fieldMap(serviceFields(f, op.ServiceConfig))
	case kernel.UpdateService:
		js.Action, js.Object = "change", "service"
		js.Old, js.New = fieldMap(serviceFields(f, s.OldService)), fieldMap(serviceFields(f, op.ServiceConfig))
	case kernel.DeleteService:
		js.Action, js.Object, js.Old = "delete", "service", fieldMap(serviceFields(f, s.OldService))
	case kernel.AddDestination:
		js.Action, js.Object, js.New = "add", "destination", fieldMap(destinationFields(op.DestinationConfig))
	case kernel.UpdateDestination:
		js.Action, js.Object = "change", "destination"
		js.Old, js.New = fieldMap(destinationFields(s.OldDestination)), fieldMap(destinationFields(op.DestinationConfig))
	case kernel.DeleteDestination:
		js.Action, js.Object, js.Old = "delete", "destination", fieldMap(destinationFields(s.OldDestination))
	}
	if js.Object == "destination" {
		js.Destination = op.Destination.String()
	}
	return js
}

func fieldMap(fs []field) map[string]string {
	m := make(map[string]string, len(fs))
	for _, f := range fs {
		if f.value != "" {
			m[f.name] = f.value
		}
	}
	return m
}

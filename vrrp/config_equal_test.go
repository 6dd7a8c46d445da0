package vrrp

import (
	"net/netip"
	"reflect"
	"testing"
	"time"
)

// TestConfigEqualCoversEveryField changes one field of Config at a time,
// found by reflection, so a field added to Config and forgotten in Equal
// fails here.
func TestConfigEqualCoversEveryField(t *testing.T) {
	base := Config{Interface: "eth0", VRID: 7, Priority: 100, AdvertInterval: time.Second}
	typ := reflect.TypeFor[Config]()
	for i := range typ.NumField() {
		f := typ.Field(i)
		changed := base
		v := reflect.ValueOf(&changed).Elem().Field(i)
		v.Set(otherThan(t, v))
		if base.Equal(changed) || changed.Equal(base) {
			t.Errorf("Equal ignores field %s: %+v equals %+v", f.Name, changed, base)
		}
		if !changed.Equal(changed) {
			t.Errorf("a config with %s set differs from itself", f.Name)
		}
	}
}

// TestConfigEqualNilAndEmptyLists: an empty list configures the same
// router as a missing one; a copy with fresh slices is equal.
func TestConfigEqualNilAndEmptyLists(t *testing.T) {
	a := Config{Interface: "eth0", VRID: 7, Peers: nil, VIPs: []netip.Addr{}, TrackInterfaces: nil}
	b := Config{Interface: "eth0", VRID: 7, Peers: []netip.Addr{}, VIPs: nil, TrackInterfaces: []TrackInterface{}}
	if !a.Equal(b) {
		t.Errorf("nil and empty lists differ: %+v vs %+v", a, b)
	}
	c := Config{VIPs: []netip.Addr{netip.MustParseAddr("192.0.2.10")}, TrackInterfaces: []TrackInterface{{"eth1", 10}}}
	d := Config{VIPs: []netip.Addr{netip.MustParseAddr("192.0.2.10")}, TrackInterfaces: []TrackInterface{{"eth1", 10}}}
	if !c.Equal(d) {
		t.Errorf("equal copies differ: %+v vs %+v", c, d)
	}
}

// otherThan returns a value of v's type different from v.
func otherThan(t *testing.T, v reflect.Value) reflect.Value {
	t.Helper()
	if v.Type() == reflect.TypeFor[netip.Addr]() {
		return reflect.ValueOf(netip.MustParseAddr("192.0.2.99"))
	}
	out := reflect.New(v.Type()).Elem()
	switch v.Kind() {
	case reflect.String:
		out.SetString(v.String() + "x")
	case reflect.Bool:
		out.SetBool(!v.Bool())
	case reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		out.SetUint(v.Uint() + 1)
	case reflect.Int, reflect.Int32, reflect.Int64:
		out.SetInt(v.Int() + 1)
	case reflect.Slice:
		out = reflect.Append(v, otherThan(t, reflect.New(v.Type().Elem()).Elem()))
	case reflect.Struct:
		out.Set(v)
		for i := range v.NumField() {
			out.Field(i).Set(otherThan(t, v.Field(i)))
		}
	default:
		t.Fatalf("otherThan: no case for %s", v.Type())
	}
	return out
}

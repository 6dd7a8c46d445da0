package reconcile

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// release makes a release directory holding node.yaml with a comment.
func release(t *testing.T, dir, what string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "node.yaml"), watchNode+"# "+what+"\n")
}

// swapLink re-points the symlink link to target atomically, as
// `ln -sfn target link.tmp && mv -T link.tmp link` does.
func swapLink(t *testing.T, target, link string) {
	t.Helper()
	tmp := link + ".tmp"
	if err := os.Symlink(target, tmp); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, link); err != nil {
		t.Fatal(err)
	}
}

// TestWatchSymlinkSwap: the config directory is a symlink to a release
// directory (Capistrano-style deploys); re-pointing it is a change within
// a second, and edits in the new release are seen after it.
func TestWatchSymlinkSwap(t *testing.T) {
	top := t.TempDir()
	release(t, filepath.Join(top, "releases", "1"), "one")
	release(t, filepath.Join(top, "releases", "2"), "two")
	dir := filepath.Join(top, "seesaw")
	if err := os.Symlink("releases/1", dir); err != nil {
		t.Fatal(err)
	}
	noPoll := DefaultDebounce
	noPoll.Poll = 0 // the swap must be seen by its event
	_, n := startWatcherWith(t, dir, noPoll)
	swapLink(t, "releases/2", dir)
	waitWithin(t, time.Second, "a change for the swapped link", func() bool { return n.Load() >= 1 })
	changeAfterWrite(t, n, filepath.Join(top, "releases", "2", "node.yaml"), "an edit in the new release")
}

// TestWatchSymlinkChainSwap: /etc/seesaw -> deploy/current -> releases/N
// (git-sync): re-pointing the inner link, in a directory the config
// directory's parent is not, is a change, and so is the next swap.
func TestWatchSymlinkChainSwap(t *testing.T) {
	etc, deploy := t.TempDir(), t.TempDir()
	for _, r := range []string{"1", "2", "3"} {
		release(t, filepath.Join(deploy, "releases", r), r)
	}
	if err := os.Symlink("releases/1", filepath.Join(deploy, "current")); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(etc, "seesaw")
	if err := os.Symlink(filepath.Join(deploy, "current"), dir); err != nil {
		t.Fatal(err)
	}
	noPoll := DefaultDebounce
	noPoll.Poll = 0 // the swaps must be seen by their events
	_, n := startWatcherWith(t, dir, noPoll)
	for i, r := range []string{"2", "3"} {
		time.Sleep(2 * DefaultDebounce.Quiet)
		swapLink(t, "releases/"+r, filepath.Join(deploy, "current"))
		waitWithin(t, time.Second, "a change for swap "+r, func() bool { return n.Load() >= int32(i+1) })
	}
	changeAfterWrite(t, n, filepath.Join(deploy, "releases", "3", "node.yaml"), "an edit in the newest release")
}

// TestWatchPollFindsAnotherDirectory: a directory replaced without an
// event the watcher follows (here: a link in the middle of the path) is
// found by the poll.
func TestWatchPollFindsAnotherDirectory(t *testing.T) {
	top := t.TempDir()
	release(t, filepath.Join(top, "a", "seesaw"), "a")
	release(t, filepath.Join(top, "b", "seesaw"), "b")
	if err := os.Symlink("a", filepath.Join(top, "cur")); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(top, "cur", "seesaw") // the link is not the last component
	_, n := startWatcher(t, dir)
	swapLink(t, "b", filepath.Join(top, "cur"))
	waitWithin(t, time.Second, "a change found by the poll", func() bool { return n.Load() >= 1 })
	changeAfterWrite(t, n, filepath.Join(top, "b", "seesaw", "node.yaml"), "an edit in the new directory")
}

// waitWithin fails t unless cond holds within d.
func waitWithin(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	for end := time.Now().Add(d); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(end) {
			t.Fatalf("no %s within %v", what, d)
		}
	}
}

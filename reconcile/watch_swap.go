package reconcile

import (
	"os"
	"path/filepath"
	"slices"
)

// maxLinkHops bounds the symlink chain followed from the config directory,
// as the kernel's own limit on nested links does.
const maxLinkHops = 40

// linkChain returns the symlinks met resolving dir by its last component:
// dir itself when it is a link, then its target when that is a link, and
// so on (/etc/seesaw -> /srv/deploy/current -> releases/42). A swap of any
// of them (ln -sfn + rename) is a rename in the link's parent directory.
// Links in the middle of a path are not followed; the identity poll
// (swapped) still sees a swap there.
func linkChain(dir string) []string {
	var links []string
	for p := dir; len(links) < maxLinkHops; {
		fi, err := os.Lstat(p)
		if err != nil || fi.Mode()&os.ModeSymlink == 0 {
			break
		}
		links = append(links, p)
		target, err := os.Readlink(p)
		if err != nil {
			break
		}
		if !filepath.IsAbs(target) {
			target = filepath.Join(filepath.Dir(p), target)
		}
		p = filepath.Clean(target)
	}
	return links
}

// linkParents returns the directories holding links, without dir's parent
// (watched already).
func (wt *Watcher) linkParents(links []string) []string {
	var dirs []string
	for _, l := range links {
		if d := filepath.Dir(l); d != wt.parent && d != wt.dir {
			dirs = append(dirs, d)
		}
	}
	slices.Sort(dirs)
	return slices.Compact(dirs)
}

// watchLinks watches the parents of dir's symlink chain, and stops
// watching those of the previous chain that no longer hold a link (unless
// Also needs them). Called with wt.mu held.
func (wt *Watcher) watchLinksLocked() error {
	links := linkChain(wt.dir)
	dirs := wt.linkParents(links)
	for _, d := range wt.linkDirs {
		if !slices.Contains(dirs, d) && !slices.Contains(wt.extra, d) {
			_ = wt.w.Remove(d) // fails when d is gone, which removed the watch too
		}
	}
	var err error
	for _, d := range dirs {
		if slices.Contains(wt.linkDirs, d) || slices.Contains(wt.extra, d) {
			continue
		}
		if aerr := wt.w.Add(d); aerr != nil && err == nil {
			err = aerr
		}
	}
	wt.links, wt.linkDirs = links, dirs
	return err
}

// swapped reports whether the directory now at dir's path is another one
// than the watcher last watched: a bind mount placed over it, or a swap
// of a link the events missed. It remembers the directory it found.
func (wt *Watcher) swapped() bool {
	fi, err := os.Stat(wt.dir)
	if err != nil {
		fi = nil
	}
	wt.mu.Lock()
	defer wt.mu.Unlock()
	was := wt.ident
	wt.ident = fi
	switch {
	case fi == nil:
		return false // gone: the events of its parent report it
	case was == nil:
		return true
	}
	return !os.SameFile(was, fi)
}

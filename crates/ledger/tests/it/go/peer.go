// Checks a Guarantor ledger folder with Go's own golang.org/x/mod/sumdb packages:
// note.Open for the checkpoint signature, tlog.TreeHash over the records read from the
// entry bundles, tlog.TileHashReader over the hash tiles (mapped to C2SP paths), and
// tlog.CheckRecord / tlog.CheckTree for the proofs listed in the proofs file.
//
// Usage: peer LOGDIR VERIFIER_KEY PROOFS_FILE
package main

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "go peer: "+format+"\n", args...)
	os.Exit(1)
}

// c2spPath names a Go tile the C2SP way: tile/<L>/<N>[.p/<W>], tile/entries/... for data.
func c2spPath(t tlog.Tile) string {
	goPath := t.Path() // tile/8/<L or data>/<N>[.p/<W>]
	rest := strings.TrimPrefix(goPath, "tile/8/")
	if strings.HasPrefix(rest, "data/") {
		rest = "entries/" + strings.TrimPrefix(rest, "data/")
	}
	return "tile/" + rest
}

type dirTiles struct{ root string }

func (d dirTiles) Height() int { return 8 }
func (d dirTiles) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	out := make([][]byte, len(tiles))
	for i, t := range tiles {
		data, err := os.ReadFile(filepath.Join(d.root, c2spPath(t)))
		if err != nil {
			return nil, err
		}
		out[i] = data
	}
	return out, nil
}
func (d dirTiles) SaveTiles(tiles []tlog.Tile, data [][]byte) {}

type memHashes []tlog.Hash

func (m memHashes) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		out[i] = m[x]
	}
	return out, nil
}

func decodeHashes(words []string) []tlog.Hash {
	var out []tlog.Hash
	for _, w := range words {
		h, err := tlog.ParseHash(w)
		if err != nil {
			fail("bad hash %q: %v", w, err)
		}
		out = append(out, h)
	}
	return out
}

func main() {
	root, vkey, proofsFile := os.Args[1], os.Args[2], os.Args[3]
	verifier, err := note.NewVerifier(vkey)
	if err != nil {
		fail("verifier key: %v", err)
	}
	msg, err := os.ReadFile(filepath.Join(root, "checkpoint"))
	if err != nil {
		fail("%v", err)
	}
	n, err := note.Open(msg, note.VerifierList(verifier))
	if err != nil {
		fail("note.Open: %v", err)
	}
	lines := strings.Split(n.Text, "\n")
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil {
		fail("size: %v", err)
	}
	root_hash, err := tlog.ParseHash(lines[2])
	if err != nil {
		fail("root: %v", err)
	}
	tree := tlog.Tree{N: size, Hash: root_hash}

	// Records from the entry bundles, hashed the sumdb way.
	var records [][]byte
	for b := int64(0); b*256 < size; b++ {
		w := size - b*256
		if w > 256 {
			w = 256
		}
		t := tlog.Tile{H: 8, L: -1, N: b, W: int(w)}
		data, err := os.ReadFile(filepath.Join(root, c2spPath(t)))
		if err != nil {
			fail("%v", err)
		}
		for len(data) > 0 {
			l := int(binary.BigEndian.Uint16(data))
			records = append(records, data[2:2+l])
			data = data[2+l:]
		}
	}
	if int64(len(records)) != size {
		fail("%d records in bundles, checkpoint says %d", len(records), size)
	}
	var stored memHashes
	for i, r := range records {
		hs, err := tlog.StoredHashes(int64(i), r, stored)
		if err != nil {
			fail("StoredHashes: %v", err)
		}
		stored = append(stored, hs...)
	}
	th, err := tlog.TreeHash(size, stored)
	if err != nil || th != root_hash {
		fail("TreeHash of the records %v differs from the checkpoint root %v (%v)", th, root_hash, err)
	}
	// The hash tiles, read and authenticated against the checkpoint by Go's tile reader.
	thr := tlog.TileHashReader(tree, dirTiles{root})
	if th2, err := tlog.TreeHash(size, thr); err != nil || th2 != root_hash {
		fail("TreeHash from our tiles: %v %v", th2, err)
	}

	f, err := os.Open(proofsFile)
	if err != nil {
		fail("%v", err)
	}
	checked := 0
	scanner := bufio.NewScanner(f)
	scanner.Buffer(make([]byte, 1<<20), 1<<20)
	for scanner.Scan() {
		words := strings.Fields(scanner.Text())
		switch words[0] {
		case "inclusion":
			index, _ := strconv.ParseInt(words[1], 10, 64)
			proof := tlog.RecordProof(decodeHashes(words[2:]))
			if err := tlog.CheckRecord(proof, size, root_hash, index, tlog.RecordHash(records[index])); err != nil {
				fail("CheckRecord %d: %v", index, err)
			}
			// Go's own proof from our tiles must be the same one.
			own, err := tlog.ProveRecord(size, index, thr)
			if err != nil || len(own) != len(proof) {
				fail("ProveRecord %d: %v", index, err)
			}
		case "consistency":
			old, _ := strconv.ParseInt(words[1], 10, 64)
			oldHash := decodeHashes(words[2:3])[0]
			proof := tlog.TreeProof(decodeHashes(words[3:]))
			if err := tlog.CheckTree(proof, size, root_hash, old, oldHash); err != nil {
				fail("CheckTree %d: %v", old, err)
			}
		default:
			fail("unknown line %q", words[0])
		}
		checked++
	}
	fmt.Printf("ok %d records, %d proofs\n", size, checked)
}

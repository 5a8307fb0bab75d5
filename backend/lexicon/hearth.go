package lexicon

import "embed"

// hearthFiles holds Hearth's own lexicons (dev.hearthpds.*), written by hand
// and kept beside the generated copy of indigo's, which go generate
// replaces wholesale. Paths follow the NSID, as in the indigo tree:
// hearth/dev/hearthpds/delegation/addController.json.
//
//go:embed hearth
var hearthFiles embed.FS

// hearthRoot is the directory inside hearthFiles that holds the tree.
const hearthRoot = "hearth"

// tree is one embedded lexicon tree.
type tree struct {
	fs   embed.FS
	root string
}

// trees are the embedded lexicon trees, indigo's first. An NSID is defined
// in at most one of them (TestHearthLexicons checks).
var trees = []tree{{files, root}, {hearthFiles, hearthRoot}}

package repo_test

import (
	"bufio"
	"io"

	"github.com/ipfs/go-cid"
	car "github.com/ipld/go-car"
)

type carReader struct{ r *car.CarReader }

func newCARReader(r io.Reader) (*carReader, error) {
	cr, err := car.NewCarReader(bufio.NewReader(r))
	if err != nil {
		return nil, err
	}
	return &carReader{r: cr}, nil
}

func (c *carReader) Next() (cid.Cid, error) {
	b, err := c.r.Next()
	if err != nil {
		return cid.Undef, err
	}
	return b.Cid(), nil
}

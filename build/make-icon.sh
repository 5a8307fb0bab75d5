#!/bin/sh
# make-icon.sh: draws build/appicon.png, Hearth's 1024x1024 icon (a flame
# over a log on a dark rounded square), with ImageMagick's convert. The PNG
# is committed; run this only to change it. Wails makes the Windows icon
# (build/windows/icon.ico) from it, and the .deb ships it scaled to 256x256.
set -eu
cd "$(dirname "$0")"
convert -size 1024x1024 xc:none \
	-fill '#3a2118' -draw "roundrectangle 32,32 991,991 200,200" \
	-fill '#f97316' -draw "path 'M 512 830 C 330 830 250 720 258 580 C 266 450 360 390 390 270 C 450 350 462 410 478 450 C 505 330 565 240 610 130 C 690 250 780 370 778 580 C 776 730 690 830 512 830 Z'" \
	-fill '#fbbf24' -draw "path 'M 512 810 C 425 810 385 745 390 670 C 395 595 455 560 475 495 C 510 550 528 575 540 610 C 565 570 575 540 585 505 C 635 570 650 630 645 690 C 640 765 595 810 512 810 Z'" \
	-fill '#fef3c7' -draw "path 'M 512 800 C 470 800 450 770 452 735 C 455 695 490 680 500 645 C 520 675 540 700 545 730 C 550 770 540 800 512 800 Z'" \
	-fill '#a8532a' -draw "roundrectangle 230,840 794,900 30,30" \
	-fill '#7c3a1d' -draw "roundrectangle 290,880 734,930 25,25" \
	-depth 8 -strip PNG32:appicon.png

#!/usr/bin/env python3
"""Score one set of verifier thresholds against a CopyCalibration run's evidence, without verifying again.

CopyCalibration --verify writes verification.evidence.tsv: every candidate pair with every stage's
figures (thresholds open). Its grid picks rules by its own objective; this script counts any one rule,
e.g. the product's defaults (VerifierOptions), over the same pairs, the same way VerificationReport
does: recall per alteration over all 150 copies of it, precision with derivative works left out
(bench/CopyCalibration/derivative-works.tsv), false matches listed with --list.

    python3 bench/CopyCalibration/score_evidence.py out/copy-calibration/verification.evidence.tsv
    python3 bench/CopyCalibration/score_evidence.py EVIDENCE --side 96 --ncc 0.93 --trimmed off --search off --colour 20

Checked against the run of 2026-12-07: with the grid's "precision >= 0.99" row's thresholds it gives
that row's figures exactly (recall per alteration, precision 0.9911, 12 false, 14 derivative works).
"""
import argparse
import collections
import csv
import os
import re
import sys

ALTERATIONS = ['Reencode', 'Resize', 'Crop', 'Pad', 'Watermark', 'Gray', 'Rotate', 'Brightness', 'Mirror', 'ResizeCropJpeg']


def number(text):
    try:
        return float(text)
    except ValueError:
        return None


def threshold(text):
    return None if text == 'off' else float(text)


def derivative_groups(path):
    groups = []
    for line in open(path, encoding='utf-8'):
        if not line.strip() or line.startswith('#'):
            continue
        patterns = line.rstrip('\n').split('\t')[2].split(';')
        groups.append([re.compile('^' + re.escape(p.strip()).replace(r'\*', '[^/]*') + '$') for p in patterns if p.strip()])
    return groups


def original_of(item):
    # A copy is named "<original> (<Alteration>)".
    return re.sub(r' \([A-Za-z]+\)$', '', item)


def within_depth(row, o):
    # A candidate at a smaller depth (columns plain_rank, view_rank from the eighth round's last run on): kept
    # when the plain query ranks it within --depth (with --depth-counts-others: among its first --depth rows no other
    # way brings), its hash is within 16 bits or the rule accepts it, (unless --plain-candidates-only) a view ranks it
    # within --view-depth, or a ranking's deeper rank lets it through the screen (--screen-depth, --screen-view-depth).
    plain_rank, view_rank = number(row.get('plain_rank', '-')), number(row.get('view_rank', '-'))
    if plain_rank is None:
        return True
    if brought_otherwise(row, o) or in_plain_depth(row, plain_rank, o):
        return True
    if screened_in(row, plain_rank, o.screen_depth, o, o.plain_screen_inliers, o.plain_screen_full_below):
        return True
    if o.plain_candidates_only or view_rank is None:
        return False
    if view_rank <= (o.view_depth if o.view_depth is not None else 20):
        return True
    return screened_in(row, view_rank, o.screen_view_depth, o, o.screen_inliers, o.screen_inliers)


def brought_otherwise(row, o):
    # Verified whatever the plain query's rank: a hash within 16 bits, the rule, or (with --depth-counts-others) a
    # view's top --view-depth.
    hash_distance, cosine = number(row['hash']), number(row['cosine'])
    rule = hash_distance <= 8 or cosine >= 0.9 or (hash_distance <= 16 and cosine >= 0.815)
    if hash_distance <= 16 or rule:
        return True
    view_rank = number(row.get('view_rank', '-'))
    return o.depth_counts_others and view_rank is not None and view_rank <= (o.view_depth if o.view_depth is not None else 20)


def in_plain_depth(row, plain_rank, o):
    # Within --depth of the plain ranking; with --depth-counts-others, among the plain query's first --depth rows that
    # no other way brings (CopyMatcher since the fourteenth round).
    if o.depth_counts_others:
        return (row['query'], row['item']) in o.full_pairs
    return plain_rank <= (o.depth if o.depth is not None else 20)


def first_rows_not_brought(evidence, o):
    # (query, item) of each query's first --depth rows by plain rank that no other way brings, within the plain ranking
    # the matcher looks at (CopyMatcher.RankingDepth, --screen-depth; the evidence also ranks rows only a view brought).
    ranked = collections.defaultdict(list)
    ranking_depth = max(o.depth, o.screen_depth or 0)
    with open(evidence, encoding='utf-8') as f:
        for row in csv.DictReader(f, delimiter='\t'):
            plain_rank = number(row.get('plain_rank', '-'))
            if plain_rank is not None and plain_rank <= ranking_depth and not brought_otherwise(row, o):
                ranked[row['query']].append((plain_rank, row['item']))
    return {(query, item) for query, rows in ranked.items() for _, item in sorted(rows)[:o.depth]}


def screened_in(row, rank, screen_depth, o, least_inliers, full_below):
    # A rank beyond the depth verified in full, down to screen_depth, when the keypoints fit with --screen-inliers
    # inliers either way (CopyMatcher.RankingDepth or ScreenedViewDepth / ScreenInliers: the same figures as the fits' inlier columns).
    if screen_depth is None or rank > screen_depth:
        return False
    inliers = max(number(row.get('plain_inliers', '-')) or 0, number(row.get('mirror_inliers', '-')) or 0)
    # A query with fewer keypoints than the screen asks for has those rows verified in full (the thirteenth round on;
    # column query_keypoints from the twenty-fifth run on).
    keypoints = number(row.get('query_keypoints', '-'))
    if o.screen_plain_queries and keypoints is not None and keypoints < full_below:
        return True
    return inliers >= least_inliers


def accepted(row, o):
    side = min(number(row['query_side']) or 0, number(row['item_side']) or 0)
    if side < o.side:
        return False
    # A hairline query's second look with the lines thickened (VerifierOptions.ThickenHairlines; column from the
    # seventeenth run on, whose engine gave the second look to fewer pairs than the eighteenth's): a decision the
    # product's verifier made with its own thresholds, counted as it is.
    if o.thicken and row.get('thickened') == '1':
        return True

    def region_ok(prefix):
        # NCC outside the one rectangle of disagreement (columns from the fifth round on).
        if o.region is None:
            return False
        value, share = number(row.get(prefix + '_region', '-')), number(row.get(prefix + '_region_share', '-'))
        return value is not None and value >= o.region and (share is None or share <= o.region_share)

    def colour_ok(value):
        # '-': gray pictures, colours not compared.
        c = number(value)
        return c is None or o.colour is None or c <= o.colour

    for fit in ('plain', 'mirror'):
        if row[fit + '_reason'] == 'DegenerateFit' or not colour_ok(row[fit + '_colour']):
            continue
        inliers = number(row[fit + '_inliers']) or 0
        if (number(row[fit + '_overlap']) or 0) < o.overlap or inliers < o.inliers:
            continue
        # A fit turned further than --turned degrees verifies only as a strong fit (columns from the
        # eighth round on; not applied to older evidence).
        rotation = number(row.get(fit + '_rotation', '-'))
        if o.turned is not None and rotation is not None and abs((rotation + 180) % 360 - 180) > o.turned:
            least_inliers, least_ratio = o.turned_fit
            if inliers < least_inliers or inliers < least_ratio * (number(row[fit + '_matches']) or 0):
                continue
        ncc, trimmed = number(row[fit + '_ncc']), number(row[fit + '_trimmed'])
        if o.ncc is not None and ncc is not None and ncc >= o.ncc:
            return True
        if o.trimmed is not None and trimmed is not None and trimmed >= o.trimmed:
            return True
        if region_ok(fit):
            return True
        # A strong fit (VerifierOptions.StrongFitInliers, StrongFitInlierRatio, MinStrongFitRegionNcc), its region
        # up to MaxStrongFitRegionShare (the _wide_region columns, from the fourteenth run on; older evidence has
        # only the general cap's, and --strong-fit-cap narrow counts that one).
        for tier in (o.strong_fit, o.medium_fit):
            if tier is None:
                continue
            least_inliers, least_ratio, least_region = tier
            wide = number(row.get(fit + '_wide_region', '-')) if o.strong_fit_cap == 'wide' else None
            matches, region = number(row[fit + '_matches']) or 0, wide if wide is not None else number(row.get(fit + '_region', '-'))
            if inliers >= least_inliers and inliers >= least_ratio * matches and region is not None and region >= least_region:
                return True
    stretch = number(row['stretch_ncc'])
    if ((o.stretch is not None and stretch is not None and stretch >= o.stretch) or region_ok('stretch')) and colour_ok(row['stretch_colour']):
        return True
    search = number(row['search_ncc'])
    if number(row['search_overlap']) is not None and number(row['search_overlap']) < max(o.overlap, o.search_overlap):
        return False
    # The search stops after its coarse pass below this floor (column from the sixth round on; the
    # evidence keeps the chosen pose's coarse score, so a pose of the other orientation above the floor
    # is not counted: the count can only be lower than the engine's).
    # Either picture of bands (shift agreement at or above --search-shift): the search is not tried (columns
    # from the eighth round's rerun on; older evidence has none, and --shifts FILE then gives each query's).
    shifts = [number(row.get('query_shift', '-')), number(row.get('item_shift', '-'))]
    if o.shift_of is not None and shifts[0] is None:
        shifts[0] = o.shift_of.get(row['query'])
    if o.search_shift is not None and any(v is not None and v >= o.search_shift for v in shifts):
        return False
    coarse = number(row.get('search_coarse', '-'))
    if o.search_coarse is not None and coarse is not None and coarse < o.search_coarse:
        return False
    return ((o.search is not None and search is not None and search >= o.search) or (o.region_search and region_ok('search'))) and colour_ok(row['search_colour'])


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('evidence')
    parser.add_argument('--derivative-works', default=os.path.join(os.path.dirname(__file__), 'derivative-works.tsv'))
    parser.add_argument('--copies-per-alteration', type=int, default=150)
    # The product's defaults (src/OptOut.Core/Matching/VerifierOptions.cs).
    parser.add_argument('--side', type=float, default=64)
    parser.add_argument('--inliers', type=float, default=6)
    parser.add_argument('--overlap', type=float, default=0.2)
    parser.add_argument('--ncc', type=threshold, default=0.97)
    parser.add_argument('--trimmed', type=threshold, default=None, help="trimmed NCC of a fit ('off' by default since the fifth round, as VerifierOptions.MinTrimmedNcc; 0.995 before)")
    parser.add_argument('--stretch', type=threshold, default=0.95)
    parser.add_argument('--search', type=threshold, default=0.975, help='NCC that verifies a pixel-search alignment (VerifierOptions.MinSearchNcc: 0.975 since the thirteenth round, 0.96 from the eighth, 0.99 before)')
    parser.add_argument('--search-shift', type=threshold, default=0.95, help="shift agreement (VerifierOptions.MaxSearchShiftAgreement: 0.95 since the eighth round) from which the search is not counted; 'off' to count it")
    parser.add_argument('--shifts', help='TSV of query path and shift agreement, for evidence without the query_shift column')
    parser.add_argument('--search-overlap', type=float, default=0.5, help='share of the query a pixel-search alignment must cover (VerifierOptions.MinSearchOverlap: 0.5 since the eighth round; 0.2, the general --overlap, before)')
    parser.add_argument('--colour', type=threshold, default=21)
    parser.add_argument('--strong-fit', type=lambda t: None if t == 'off' else tuple(float(v) for v in t.split(',')), default=(40, 0.75, 0.99),
                        help="'INLIERS,RATIO,REGION': a keypoint fit with at least INLIERS inliers, RATIO of its matches, verifies at REGION NCC outside one region "
                             "(VerifierOptions.StrongFitInliers, StrongFitInlierRatio, MinStrongFitRegionNcc: '40,0.75,0.99' with the wide region since the fifth session, "
                             "'40,0.75,0.97' with the general cap from the sixth round, 'off' before)")
    parser.add_argument('--medium-fit', type=lambda t: None if t == 'off' else tuple(float(v) for v in t.split(',')), default=(15, 0.6, 0.995),
                        help="a second tier of --strong-fit's form, INLIERS,RATIO,REGION (VerifierOptions.MediumFitInliers, MediumFitInlierRatio, MinMediumFitRegionNcc: 15,0.6,0.995 since the fourteenth round); 'off' for none, as before it")
    parser.add_argument('--strong-fit-cap', choices=['wide', 'narrow'], default='wide',
                        help="the strong fit's region: 'wide' (columns *_wide_region, VerifierOptions.MaxStrongFitRegionShare 0.35, when the evidence has them) "
                             "or 'narrow' (the general cap's *_region, as before the fifth session)")
    parser.add_argument('--search-coarse', type=threshold, default=0.75,
                        help="best coarse correlation below which the pixel search stops (VerifierOptions.MinSearchCoarseScore: 0.75 since the sixth round; 'off' before; "
                             "evidence files before the sixth round have no such column, and it is then not applied)")
    parser.add_argument('--turned', type=threshold, default=20,
                        help="degrees: a keypoint fit turned further than this verifies only with --turned-fit's inliers (VerifierOptions.MaxWeakFitRotation: 20 since the eighth round, 'off' before; "
                             "evidence before the eighth round has no rotation columns). The engine exempts a query that looks the same turned (TurnSymmetry); this script cannot, so such copies count as missed")
    parser.add_argument('--turned-fit', type=lambda t: tuple(float(v) for v in t.split(',')), default=(40, 0.75),
                        help="'INLIERS,RATIO' a fit turned further than --turned needs (default '40,0.75', a strong fit's)")
    parser.add_argument('--region', type=threshold, default=0.99, help='NCC outside one region of disagreement (0.99, as VerifierOptions.MinRegionNcc; off before the fifth round)')
    parser.add_argument('--region-share', type=float, default=1.0, help='most share of the compared pixels that region may hold (the verifier caps it at 0.25)')
    parser.add_argument('--region-search', type=int, choices=[0, 1], default=0, help='1: the region clause applies to the pixel search too (VerifierOptions.MinSearchRegionNcc; off by default: no keypoints back its alignment)')
    parser.add_argument('--depth', type=int, default=None, help="count only the plain query's top N by cosine (besides hash and rule candidates); needs the plain_rank column")
    parser.add_argument('--depth-counts-others', action='store_true', help="--depth counts only the rows no other way brings (a hash within 16 bits, the rule, a view's top --view-depth): CopyMatcher since the fourteenth round")
    parser.add_argument('--view-depth', type=int, default=None, help="count only each view's top N; needs the view_rank column")
    parser.add_argument('--screen-view-depth', type=int, default=None, help="also count each view's ranks beyond --view-depth down to this one when their keypoints fit with --screen-inliers inliers (CopyMatcher.ScreenedViewDepth: 20 since the twelfth round)")
    parser.add_argument('--screen-depth', type=int, default=None, help="also count the plain query's ranks beyond --depth down to this one when their keypoints fit with --plain-screen-inliers inliers (CopyMatcher.RankingDepth)")
    parser.add_argument('--plain-screen-inliers', type=int, default=15, help='inliers a row the plain query ranks beyond --depth needs (CopyMatcher.ScreenInliers)')
    parser.add_argument('--plain-screen-full-below', type=int, default=64, help="a query with fewer keypoints than this has the plain query's rows down to --screen-depth verified in full (CopyMatcher.ScreenFromKeypoints)")
    parser.add_argument('--screen-inliers', type=int, default=15, help='inliers a screened row needs (CopyMatcher.ScreenInliers: 15)')
    parser.add_argument('--screen-plain-queries', type=int, choices=[0, 1], default=1, help="1: a query with fewer keypoints than --screen-inliers has every row down to --screen-view-depth verified (CopyMatcher since the thirteenth round; needs the query_keypoints column); 0: screened as any query")
    parser.add_argument('--plain-candidates-only', action='store_true', help='leave out the pairs only the rotated query views brought (column candidates = view)')
    parser.add_argument('--queries', choices=['all', 'even', 'odd'], default='all', help='count the originals of this parity only (in the order of their first appearance, as the bench numbers them)')
    parser.add_argument('--list', action='store_true', help='list the false matches and the derivative works matched')
    parser.add_argument('--misses', metavar='ALTERATION', help="list the copies of ALTERATION not found, each with its pair's figures (every row of the copy, found at any depth or not)")
    parser.add_argument('--thicken', type=int, choices=[0, 1], default=1, help="1: count the product's second look at hairline drawings (column thickened); 0: leave it out (the engine before the tenth round)")
    o = parser.parse_args()
    o.shift_of = None
    if o.depth_counts_others and (o.depth is None or o.view_depth is None):
        parser.error('--depth-counts-others needs --depth and --view-depth (the product: 3 and 3)')
    o.full_pairs = first_rows_not_brought(o.evidence, o) if o.depth_counts_others else set()
    if o.shifts:
        o.shift_of = {line.split('\t')[0]: float(line.split('\t')[1]) for line in open(o.shifts, encoding='utf-8') if line.strip()}

    groups = derivative_groups(o.derivative_works)
    with open(o.evidence, encoding='utf-8') as f:
        header = f.readline().rstrip('\n').split('\t')
    if o.strong_fit is not None and o.strong_fit_cap == 'wide' and 'plain_wide_region' not in header:
        print('warning: the evidence has no *_wide_region columns (runs before the fifteenth): the strong fit is counted '
              'with the general cap\'s region; --strong-fit-cap narrow --strong-fit 40,0.75,0.97 counts it as those runs\' engine did', file=sys.stderr)

    def shared_group(a, b):
        a, b = original_of(a), original_of(b)
        return a != b and any(any(p.match(a) for p in g) and any(p.match(b) for p in g) for g in groups)

    found, false, derivative, derivatives = collections.Counter(), [], 0, []
    order, found_items, rows_of_item = {}, set(), collections.defaultdict(list)
    with open(o.evidence, encoding='utf-8') as f:
        for row in csv.DictReader(f, delimiter='\t'):
            number_of_query = order.setdefault(row['query'], len(order))
            if o.queries != 'all' and number_of_query % 2 != (0 if o.queries == 'even' else 1):
                continue
            if o.plain_candidates_only and row.get('candidates') == 'view':
                continue
            if o.misses and row['class'] == o.misses:
                rows_of_item[row['item']].append(row)
            if (o.depth is not None or o.view_depth is not None) and not within_depth(row, o):
                continue
            if not accepted(row, o):
                continue
            if row['class'] != 'unrelated':
                found[row['class']] += 1
                found_items.add(row['item'])
            elif shared_group(row['query'], row['item']):
                derivative += 1
                derivatives.append((row['query'], row['item']))
            else:
                false.append((row['query'], row['item']))
    copies = sum(found.values())
    per = o.copies_per_alteration if o.queries == 'all' else (o.copies_per_alteration + (1 if o.queries == 'even' else 0)) // 2
    recall = {a: found[a] / per for a in ALTERATIONS}
    print('| ' + ' | '.join(ALTERATIONS) + ' | min recall | precision | precision, derivative works counted false | false matches | derivative works matched | copies found |')
    print('| ' + ' | '.join('---:' for _ in range(len(ALTERATIONS) + 6)) + ' |')
    print('| ' + ' | '.join(f'{recall[a]:.3f}' for a in ALTERATIONS)
          + f' | {min(recall.values()):.3f} | {copies / max(1, copies + len(false)):.4f} | {copies / max(1, copies + len(false) + derivative):.4f} | {len(false)} | {derivative}'
          + f' | {copies}/{per * len(ALTERATIONS)} |')
    if o.list:
        for query, item in false:
            print(f'false: {query} -> {item}')
        for query, item in derivatives:
            print(f'derivative: {query} -> {item}')
    if o.misses:
        # A copy the run never made a candidate has no row at all; it is listed by its count only.
        columns = ['query_side', 'item_side', 'hash', 'cosine', 'plain_rank', 'view_rank', 'stretch_ncc', 'plain_matches', 'plain_inliers',
                   'plain_region', 'plain_wide_region', 'mirror_matches', 'mirror_inliers', 'mirror_region', 'search_ncc', 'search_coarse',
                   'query_shift', 'item_shift', 'plain_colour', 'search_colour']
        missed = [item for item in rows_of_item if item not in found_items]
        print(f'missed {o.misses}: {len(missed)} with rows, {per - len([i for i in rows_of_item if i in found_items]) - len(missed)} never candidates')
        print('\t'.join(['item'] + columns))
        for item in sorted(missed):
            for row in rows_of_item[item]:
                print('\t'.join([item] + [row.get(c, '-') for c in columns]))


if __name__ == '__main__':
    main()

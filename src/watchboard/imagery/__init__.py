"""Imagery indicators: zonal statistics over site polygons, spectral indices and change maps.

A pure library (files in, objects and files out): no database, no command line. See
docs/imagery.md.
"""

from .change import ChangeSummary, change_map
from .indices import INDEX_NODATA, INDICES, Index, compute_index
from .observations import scene_time, to_observations
from .sites import SitePolygon, load_sites
from .zonal import ZonalResult, zonal_stats

__all__ = [
    "INDEX_NODATA",
    "INDICES",
    "ChangeSummary",
    "Index",
    "SitePolygon",
    "ZonalResult",
    "change_map",
    "compute_index",
    "load_sites",
    "scene_time",
    "to_observations",
    "zonal_stats",
]

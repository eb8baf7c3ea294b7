"""pipeline.dataset(): the loaded tables as relations (dlt's readable dataset), as dlt 1.26
documents it:

    dataset = pipeline.dataset()
    dataset.customers.fetchall(); dataset["customers"].limit(10).fetchall()
    dataset.table("customers").where("id", "in", [1, 3]).order_by("id", "desc").fetchall()
    dataset.customers.select("id").max().fetchscalar()
    dataset["users"].join("users__orders", alias="orders").select("name", "orders__total").fetchall()
    dataset("SELECT ...").fetchall(); dataset.row_counts().fetchall(); dataset.load_ids()
    with pipeline.dataset() as ds: ...   # one connection for the block

dataset.py (Dataset), relation.py (Relation), query.py (the SELECT a relation stands for),
sql.py (identifiers and typed literals of the destination's dialect), _join.py (joins along the
schema's references), exceptions.py."""

from dlt.dataset.dataset import Dataset
from dlt.dataset.exceptions import (
    DatasetException,
    LineageFailedException,
    RelationHasQueryException,
    RelationUnknownColumnException,
)
from dlt.dataset.relation import Relation

__all__ = ["Dataset", "Relation", "DatasetException", "RelationHasQueryException",
           "RelationUnknownColumnException", "LineageFailedException"]

"""rater keys and merged packages

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06

``rater_keys`` holds the secret a lead's project issued to each rater's coder copy (packages are
signed with it); ``merged_packages`` records each merged package, so an older one is refused.
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rater_keys",
        sa.Column("rater_id", sa.String(length=32), nullable=False),
        sa.Column("secret", sa.String(length=64), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["rater_id"], ["raters.id"], name=op.f("fk_rater_keys_rater_id_raters")
        ),
        sa.PrimaryKeyConstraint("rater_id", name=op.f("pk_rater_keys")),
    )
    op.create_table(
        "merged_packages",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("rater_id", sa.String(length=32), nullable=False),
        sa.Column("package_created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("merged_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["rater_id"], ["raters.id"], name=op.f("fk_merged_packages_rater_id_raters")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_merged_packages")),
    )
    op.create_index(
        op.f("ix_merged_packages_rater_id"), "merged_packages", ["rater_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_merged_packages_rater_id"), table_name="merged_packages")
    op.drop_table("merged_packages")
    op.drop_table("rater_keys")

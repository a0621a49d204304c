"""Benchmark of the printed documents: one agreement and a batch of 500.

    /work/venv/bin/python bench/bench_printing.py [--out bench/out]

Prints the figures bench/README.md records. Targets (issue 3): one agreement <= 100 ms,
a batch of 500 agreements <= 30 s.
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import date
from pathlib import Path

from counter_app.printing import (
    AgreementData,
    BranchInfo,
    ChangeFormData,
    FieldChange,
    LabelData,
    PartyCustomer,
    SecuritiesAccountLine,
    register_fonts,
    render_agreement,
    render_agreements,
    render_change_form,
    render_labels,
)

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗欧阳"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂喆堃昇镕𠮷"
BRANCH = BranchInfo(
    name="上海浦东新区世纪大道证券营业部",
    address="上海市浦东新区世纪大道1198号世纪汇广场一座28楼",
    phone="021-58881234",
    company="示例证券股份有限公司",
)


def agreement(i: int) -> AgreementData:
    name = SURNAMES[i % len(SURNAMES)] + GIVEN[i % len(GIVEN)] + GIVEN[(i * 7) % len(GIVEN)]
    return AgreementData(
        agreement_no=f"TA2026112{i:05d}",
        branch=BRANCH,
        customer=PartyCustomer(
            name=name,
            id_type_label="居民身份证",
            id_number=f"1101051949123{i % 10000:04d}X",
            phone=f"138{i:08d}",
            address="新疆维吾尔自治区乌鲁木齐市天山区解放南路人民广场东侧金融大厦商住楼"
            f"{i % 30 + 1}单元{i % 20 + 1}层{i % 9 + 1}号",
        ),
        capital_account=f"3100{i:08d}",
        securities_accounts=(
            SecuritiesAccountLine("上海A股", f"A{i:09d}"),
            SecuritiesAccountLine("深圳A股", f"0{i:09d}"),
        ),
        bank_name="中国工商银行股份有限公司",
        bank_branch="上海浦东分行营业部",
        bank_account=f"6222021{i:012d}",
        signed_on=date(2026, 11, 25),
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "out")
    parser.add_argument("--batch", type=int, default=500)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    started = time.perf_counter()
    register_fonts()
    print(f"font registration (once per process): {(time.perf_counter() - started) * 1000:.0f} ms")
    started = time.perf_counter()
    render_agreement(agreement(0))
    print(f"first agreement (template, caches):   {(time.perf_counter() - started) * 1000:.0f} ms")

    timings = []
    for i in range(20):
        started = time.perf_counter()
        pdf = render_agreement(agreement(i))
        timings.append(time.perf_counter() - started)
    print(
        f"one agreement, 3 copies, median of 20: {statistics.median(timings) * 1000:.0f} ms "
        f"(min {min(timings) * 1000:.0f}, max {max(timings) * 1000:.0f}; {len(pdf) / 1024:.0f} KiB)"
    )

    items = [agreement(i) for i in range(args.batch)]
    started = time.perf_counter()
    pdf = render_agreements(items, args.out / "batch.pdf")
    elapsed = time.perf_counter() - started
    print(
        f"batch of {args.batch} agreements, one PDF: {elapsed:.1f} s "
        f"({elapsed / args.batch * 1000:.0f} ms each; {len(pdf) / 1e6:.1f} MB)"
    )

    form = ChangeFormData(
        form_no="CF202611250017",
        branch=BRANCH,
        customer=items[1].customer,
        capital_account=items[1].capital_account,
        changes=(FieldChange("联系地址", "乌市", items[1].customer.address),),
        cleared_reasons=("联系地址不完整",),
    )
    render_change_form(form)
    started = time.perf_counter()
    for _ in range(10):
        render_change_form(form)
    print(f"change form: {(time.perf_counter() - started) * 100:.0f} ms")

    labels = [LabelData(d.capital_account, d.customer.name[0] + "*") for d in items[:210]]
    started = time.perf_counter()
    render_labels(labels)
    print(f"labels, 10 sheets of 21: {(time.perf_counter() - started) * 1000:.0f} ms")


if __name__ == "__main__":
    main()

//! The interaction table: clinically important drug pairs with their
//! severity, mechanism and management, following standard interaction
//! references and FDA labeling.
//!
//! An entry covers every pair of one drug from `drugs` with one from
//! `interacts_with`, in either order, so one entry can state a class effect
//! once (NSAIDs with anticoagulants). An entry whose two lists are the same
//! covers every pair of two different drugs from that list: a therapeutic
//! duplication. Every pair is covered by at most one entry (a test checks),
//! so a pair's severity never depends on table order.

use serde::Serialize;

/// How serious an interaction is, least to most (the order `max` uses).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Little clinical consequence; be aware.
    Minor,
    /// May need monitoring, dose adjustment or counseling.
    Moderate,
    /// May cause serious harm: avoid, or combine only with a clear reason and
    /// close monitoring.
    Major,
    /// Do not combine.
    Contraindicated,
}

impl Severity {
    /// The name used in the output: "minor", "moderate", "major" or
    /// "contraindicated".
    pub fn name(self) -> &'static str {
        match self {
            Severity::Minor => "minor",
            Severity::Moderate => "moderate",
            Severity::Major => "major",
            Severity::Contraindicated => "contraindicated",
        }
    }
}

/// One entry of the table: every drug in `drugs` with every drug in
/// `interacts_with`, named by formulary generic name.
#[derive(Debug, PartialEq, Eq)]
pub struct Interaction {
    /// One side of the pair.
    pub drugs: &'static [&'static str],
    /// The other side; the same list as `drugs` for a duplication.
    pub interacts_with: &'static [&'static str],
    /// How serious it is.
    pub severity: Severity,
    /// Why it happens.
    pub mechanism: &'static str,
    /// What to do about it.
    pub management: &'static str,
}

impl Interaction {
    /// Whether this entry covers the pair `a`, `b` (in either order).
    pub fn covers(&self, a: &str, b: &str) -> bool {
        a != b
            && ((self.drugs.contains(&a) && self.interacts_with.contains(&b))
                || (self.drugs.contains(&b) && self.interacts_with.contains(&a)))
    }
}

/// The entry for the pair of generic names `a` and `b`, in either order, if
/// the table has one.
pub fn between(a: &str, b: &str) -> Option<&'static Interaction> {
    INTERACTIONS.iter().find(|entry| entry.covers(a, b))
}

const ANTICOAGULANTS: &[&str] = &["warfarin", "apixaban", "rivaroxaban"];
const FACTOR_XA_INHIBITORS: &[&str] = &["apixaban", "rivaroxaban"];
const NSAIDS: &[&str] = &["ibuprofen", "naproxen"];
const SEROTONERGIC_ANTIDEPRESSANTS: &[&str] =
    &["sertraline", "fluoxetine", "escitalopram", "duloxetine"];
const RAAS_BLOCKERS: &[&str] = &["lisinopril", "enalapril", "losartan", "valsartan"];
const BETA_BLOCKERS: &[&str] = &["metoprolol", "carvedilol", "propranolol"];
const STATINS: &[&str] = &["atorvastatin", "rosuvastatin", "simvastatin"];
const SGLT2_INHIBITORS: &[&str] = &["empagliflozin", "dapagliflozin", "canagliflozin"];
const INCRETIN_AGONISTS: &[&str] = &["semaglutide", "liraglutide", "tirzepatide"];
const GLUCOSE_LOWERING: &[&str] = &[
    "metformin",
    "empagliflozin",
    "dapagliflozin",
    "canagliflozin",
    "semaglutide",
    "liraglutide",
    "tirzepatide",
    "sitagliptin",
    "glipizide",
    "pioglitazone",
    "insulin glargine",
];
const PROTON_PUMP_INHIBITORS: &[&str] = &["omeprazole", "pantoprazole"];
const THIAZIDES: &[&str] = &["hydrochlorothiazide", "chlorthalidone"];
const DIURETICS: &[&str] = &[
    "furosemide",
    "hydrochlorothiazide",
    "chlorthalidone",
    "spironolactone",
];
/// Drugs with a known risk of torsades de pointes (CredibleMeds).
const QT_PROLONGING: &[&str] = &[
    "azithromycin",
    "clarithromycin",
    "ciprofloxacin",
    "fluconazole",
    "ondansetron",
    "escitalopram",
];

/// Every entry of the table.
pub static INTERACTIONS: &[Interaction] = &[
    // Contraindicated.
    Interaction {
        drugs: &["nitroglycerin"],
        interacts_with: &["sildenafil"],
        severity: Severity::Contraindicated,
        mechanism: "Nitrates release nitric oxide, which raises cGMP; sildenafil blocks cGMP \
            breakdown by PDE-5. Together they cause profound, potentially fatal hypotension.",
        management: "Do not combine. Do not give a nitrate within 24 hours of sildenafil (48 hours of \
            tadalafil); ask about PDE-5 inhibitor use before giving nitroglycerin for chest pain, \
            and treat angina in such patients by other means.",
    },
    Interaction {
        drugs: &["simvastatin"],
        interacts_with: &["clarithromycin"],
        severity: Severity::Contraindicated,
        mechanism: "Clarithromycin strongly inhibits CYP3A4, raising simvastatin exposure about \
            10-fold, with a high risk of myopathy and rhabdomyolysis.",
        management: "Contraindicated. Suspend simvastatin for the course of clarithromycin (and a few \
            days after), or choose azithromycin or another non-interacting antibiotic.",
    },
    // Bleeding.
    Interaction {
        drugs: &["warfarin"],
        interacts_with: &["aspirin"],
        severity: Severity::Major,
        mechanism: "Additive bleeding risk: aspirin irreversibly inhibits platelet aggregation and \
            injures the gastric mucosa while warfarin blocks clotting-factor synthesis; analgesic \
            doses of salicylate can also raise the INR.",
        management: "Combine only with a clear indication (mechanical heart valve, recent acute \
            coronary syndrome or stent) and aspirin 81 mg/day; otherwise avoid. Monitor the INR and \
            for bleeding, and consider a PPI for gastroprotection.",
    },
    Interaction {
        drugs: FACTOR_XA_INHIBITORS,
        interacts_with: &["aspirin"],
        severity: Severity::Major,
        mechanism: "Additive bleeding risk: platelet inhibition plus factor Xa inhibition; adding \
            aspirin to an anticoagulant roughly doubles major bleeding.",
        management: "Avoid unless specifically indicated (recent acute coronary syndrome or stent, for \
            a limited time; or rivaroxaban 2.5 mg twice daily with aspirin in coronary or peripheral \
            artery disease). In stable coronary disease on anticoagulation, aspirin is usually \
            stopped. Consider a PPI and monitor for bleeding.",
    },
    Interaction {
        drugs: ANTICOAGULANTS,
        interacts_with: NSAIDS,
        severity: Severity::Major,
        mechanism: "NSAIDs inhibit platelet function and injure the gastrointestinal mucosa, adding \
            to the anticoagulant's bleeding risk (gastrointestinal bleeding several-fold higher).",
        management: "Avoid; prefer acetaminophen or topical NSAIDs for pain. If an oral NSAID is \
            unavoidable, use the lowest dose for the shortest time with a PPI, and monitor for \
            bleeding (and the INR with warfarin).",
    },
    Interaction {
        drugs: ANTICOAGULANTS,
        interacts_with: &["clopidogrel"],
        severity: Severity::Major,
        mechanism: "Additive bleeding risk: P2Y12 platelet inhibition plus anticoagulation.",
        management: "Combine only when clearly indicated, typically atrial fibrillation after PCI \
            (anticoagulant plus clopidogrel, usually without aspirin, for up to 12 months), then \
            anticoagulant alone. Use a PPI and monitor for bleeding.",
    },
    Interaction {
        drugs: ANTICOAGULANTS,
        interacts_with: ANTICOAGULANTS,
        severity: Severity::Major,
        mechanism: "Two anticoagulants: additive bleeding risk with no added benefit.",
        management: "Do not take together. When switching, follow the label transition: start \
            apixaban when the INR is below 2.0, or rivaroxaban when it is below 3.0, after stopping \
            warfarin; switch between DOACs at the time of the next scheduled dose.",
    },
    Interaction {
        drugs: &["warfarin"],
        interacts_with: &["fluconazole"],
        severity: Severity::Major,
        mechanism: "Fluconazole inhibits CYP2C9, the main pathway of the more potent S-warfarin, and \
            CYP3A4: the INR can rise sharply within days.",
        management: "Avoid when possible. Otherwise consider an empiric warfarin dose reduction for \
            multi-day courses and check the INR within 3-5 days and after stopping; even a single \
            150 mg dose can raise the INR.",
    },
    Interaction {
        drugs: &["warfarin"],
        interacts_with: &["sulfamethoxazole-trimethoprim"],
        severity: Severity::Major,
        mechanism: "Sulfamethoxazole inhibits CYP2C9 and displaces warfarin from albumin, raising the \
            INR substantially and increasing bleeding hospitalizations.",
        management: "Prefer another antibiotic. If it must be used, consider an empiric warfarin dose \
            reduction (10-20%) and check the INR within 3-5 days.",
    },
    Interaction {
        drugs: &["warfarin"],
        interacts_with: &["metronidazole"],
        severity: Severity::Major,
        mechanism: "Metronidazole inhibits CYP2C9 metabolism of S-warfarin, markedly raising the INR.",
        management: "Avoid when possible. Otherwise empirically reduce warfarin (about 25-35%) and \
            check the INR within 3-5 days and after the course.",
    },
    Interaction {
        drugs: &["warfarin"],
        interacts_with: &["ciprofloxacin"],
        severity: Severity::Major,
        mechanism: "Ciprofloxacin inhibits CYP1A2 (R-warfarin metabolism) and may reduce vitamin \
            K-producing gut flora; the INR rises and bleeding has been reported.",
        management: "Prefer a non-interacting antibiotic. If used, check the INR within 3-5 days of \
            starting and after stopping, and adjust the warfarin dose.",
    },
    Interaction {
        drugs: &["warfarin"],
        interacts_with: &["clarithromycin", "azithromycin", "doxycycline", "amoxicillin", "cephalexin"],
        severity: Severity::Moderate,
        mechanism: "Antibiotics can raise the INR: clarithromycin inhibits CYP3A4 metabolism of \
            R-warfarin; with azithromycin, doxycycline and beta-lactams the mechanism is less clear \
            (less vitamin K from gut flora, plus the infection and reduced intake), with case \
            reports of bleeding.",
        management: "Check the INR within 3-5 days of starting the antibiotic and after it ends; \
            adjust warfarin if needed.",
    },
    Interaction {
        drugs: &["warfarin"],
        interacts_with: &["acetaminophen"],
        severity: Severity::Moderate,
        mechanism: "Regular acetaminophen above about 2 g/day for several days raises the INR, \
            probably through its metabolite interfering with vitamin K-dependent carboxylation.",
        management: "Acetaminophen remains the preferred analgesic with warfarin. Occasional doses \
            need nothing; with regular use above 2 g/day, check the INR more often.",
    },
    Interaction {
        drugs: &["warfarin"],
        interacts_with: &["levothyroxine", "methimazole"],
        severity: Severity::Moderate,
        mechanism: "Thyroid status sets how fast vitamin K-dependent clotting factors are broken down: \
            raising thyroid hormone (starting or increasing levothyroxine) strengthens warfarin's \
            effect, while treating hyperthyroidism with methimazole weakens it.",
        management: "Check the INR within 1-2 weeks of any thyroid dose change or change in thyroid \
            status, and adjust warfarin.",
    },
    Interaction {
        drugs: ANTICOAGULANTS,
        interacts_with: SEROTONERGIC_ANTIDEPRESSANTS,
        severity: Severity::Moderate,
        mechanism: "SSRIs and SNRIs deplete platelet serotonin and impair aggregation, adding to the \
            anticoagulant's bleeding risk; fluoxetine also inhibits CYP2C9, which can raise the INR.",
        management: "Usually acceptable. Monitor for bleeding, check the INR when starting or \
            stopping the antidepressant on warfarin, and consider a PPI if there are other \
            gastrointestinal bleeding risks.",
    },
    Interaction {
        drugs: &["aspirin", "clopidogrel"],
        interacts_with: SEROTONERGIC_ANTIDEPRESSANTS,
        severity: Severity::Moderate,
        mechanism: "SSRIs and SNRIs impair platelet serotonin uptake; with an antiplatelet drug the \
            risk of gastrointestinal and other bleeding rises.",
        management: "Usually acceptable when both are indicated. Monitor for bleeding and consider a \
            PPI (pantoprazole with clopidogrel) in older adults or with prior GI bleeding.",
    },
    Interaction {
        drugs: NSAIDS,
        interacts_with: SEROTONERGIC_ANTIDEPRESSANTS,
        severity: Severity::Moderate,
        mechanism: "SSRIs and SNRIs impair platelet function; combined with an NSAID the risk of upper \
            gastrointestinal bleeding is several times that of either alone.",
        management: "Prefer acetaminophen. If an NSAID is needed, use the lowest dose for the shortest \
            time with a PPI, and watch for bleeding.",
    },
    Interaction {
        drugs: &["aspirin"],
        interacts_with: NSAIDS,
        severity: Severity::Moderate,
        mechanism: "Ibuprofen and naproxen taken before low-dose aspirin occupy COX-1 and block \
            aspirin's irreversible antiplatelet effect; both also add gastrointestinal bleeding risk.",
        management: "Avoid regular NSAID use with cardioprotective aspirin. For occasional ibuprofen, \
            take it at least 30 minutes after immediate-release aspirin or more than 8 hours before. \
            Consider a PPI.",
    },
    Interaction {
        drugs: &["aspirin"],
        interacts_with: &["clopidogrel"],
        severity: Severity::Moderate,
        mechanism: "Dual antiplatelet therapy: additive platelet inhibition and bleeding risk.",
        management: "Intended combination after acute coronary syndrome or stenting: use aspirin 81 \
            mg, limit the duration to the indication (often 6-12 months), add a PPI (pantoprazole) \
            if bleeding risk is high, and monitor for bleeding.",
    },
    Interaction {
        drugs: &["clopidogrel"],
        interacts_with: NSAIDS,
        severity: Severity::Moderate,
        mechanism: "NSAIDs add platelet inhibition and gastrointestinal mucosal injury to clopidogrel, \
            raising bleeding risk.",
        management: "Prefer acetaminophen. If an NSAID is needed, keep the course short, add a PPI \
            (pantoprazole) and monitor for bleeding.",
    },
    Interaction {
        drugs: &["clopidogrel"],
        interacts_with: &["omeprazole"],
        severity: Severity::Major,
        mechanism: "Omeprazole inhibits CYP2C19, which converts clopidogrel to its active metabolite: \
            active metabolite exposure falls by about 45% and platelet inhibition is reduced \
            (even when the doses are 12 hours apart).",
        management: "Avoid. If a PPI is needed use pantoprazole, or an H2 blocker such as famotidine.",
    },
    Interaction {
        drugs: FACTOR_XA_INHIBITORS,
        interacts_with: &["clarithromycin", "fluconazole"],
        severity: Severity::Moderate,
        mechanism: "CYP3A4 inhibition (and P-gp inhibition by clarithromycin) raises apixaban and \
            rivaroxaban exposure, by roughly 40-60%.",
        management: "No dose change is needed with normal kidney function. With renal impairment, \
            older age or other bleeding risks, prefer a non-interacting alternative (azithromycin \
            instead of clarithromycin) or monitor closely for bleeding.",
    },
    // Potassium, kidney and blood pressure.
    Interaction {
        drugs: RAAS_BLOCKERS,
        interacts_with: &["spironolactone"],
        severity: Severity::Major,
        mechanism: "ACE inhibitors and ARBs reduce aldosterone and spironolactone blocks its receptor: \
            potassium excretion falls and life-threatening hyperkalemia can develop, especially with \
            CKD, diabetes, older age, dehydration or potassium supplements.",
        management: "A guideline-recommended combination in heart failure with reduced ejection \
            fraction, but only with monitoring: start spironolactone only if potassium is 5.0 mEq/L \
            or less and eGFR above 30, use 12.5-25 mg, check potassium and creatinine at 3-7 days, \
            monthly for 3 months, then every 3 months. Stop potassium supplements, avoid NSAIDs and \
            hold during dehydrating illness.",
    },
    Interaction {
        drugs: RAAS_BLOCKERS,
        interacts_with: RAAS_BLOCKERS,
        severity: Severity::Major,
        mechanism: "Dual renin-angiotensin system blockade (an ACE inhibitor with an ARB, or two of one \
            class): in ONTARGET and VA NEPHRON-D it caused more hyperkalemia, acute kidney injury \
            and hypotension without cardiovascular or renal benefit.",
        management: "Avoid. Use a single ACE inhibitor or ARB at its target dose; when switching \
            classes, stop one before starting the other.",
    },
    Interaction {
        drugs: &["spironolactone", "lisinopril", "enalapril", "losartan", "valsartan"],
        interacts_with: &["sulfamethoxazole-trimethoprim"],
        severity: Severity::Major,
        mechanism: "Trimethoprim blocks the epithelial sodium channel like amiloride, reducing \
            potassium excretion; with an ACE inhibitor, ARB or spironolactone, hyperkalemia \
            hospitalization and sudden death are more frequent, especially in older adults.",
        management: "Prefer another antibiotic (for cystitis, nitrofurantoin if kidney function \
            allows). If it must be used, use the lowest effective dose and check potassium and \
            creatinine within 2-3 days.",
    },
    Interaction {
        drugs: RAAS_BLOCKERS,
        interacts_with: NSAIDS,
        severity: Severity::Moderate,
        mechanism: "NSAIDs block renal vasodilator prostaglandins: they blunt the blood-pressure \
            effect and, with efferent arteriolar dilation from the ACE inhibitor or ARB, can cause \
            acute kidney injury and hyperkalemia, especially with a diuretic as well (the 'triple \
            whammy'), volume depletion, older age or CKD.",
        management: "Avoid regular NSAID use; prefer acetaminophen. For a short course, keep the \
            patient hydrated and check creatinine and potassium within 1-2 weeks; hold both during \
            dehydrating illness.",
    },
    Interaction {
        drugs: DIURETICS,
        interacts_with: NSAIDS,
        severity: Severity::Moderate,
        mechanism: "NSAIDs inhibit renal prostaglandins, reducing natriuresis and the diuretic and \
            antihypertensive effect, and raise the risk of acute kidney injury (the 'triple \
            whammy' when an ACE inhibitor or ARB is also taken); with spironolactone they add \
            hyperkalemia risk.",
        management: "Avoid regular NSAID use, particularly in heart failure and CKD; prefer \
            acetaminophen. If needed briefly, monitor weight, edema, blood pressure, creatinine and \
            potassium.",
    },
    Interaction {
        drugs: &["furosemide"],
        interacts_with: THIAZIDES,
        severity: Severity::Moderate,
        mechanism: "Sequential nephron blockade: the thiazide blocks the distal sodium reabsorption \
            that rises with loop diuretic use, producing a large diuresis with hypokalemia, \
            hyponatremia, hypomagnesemia and volume depletion.",
        management: "Used deliberately for diuretic resistance. Start with a low thiazide dose for a \
            limited time and check electrolytes and creatinine within a few days, with daily \
            weights.",
    },
    Interaction {
        drugs: THIAZIDES,
        interacts_with: THIAZIDES,
        severity: Severity::Moderate,
        mechanism: "Two thiazide-type diuretics: duplication with additive hypokalemia, hyponatremia \
            and hyperuricemia and no added benefit.",
        management: "Use one. Chlorthalidone 12.5 mg is roughly equivalent to hydrochlorothiazide 25 mg.",
    },
    Interaction {
        drugs: SGLT2_INHIBITORS,
        interacts_with: &["furosemide"],
        severity: Severity::Moderate,
        mechanism: "SGLT2 inhibitors cause glycosuria with osmotic diuresis and natriuresis, adding to \
            the loop diuretic's effect: volume depletion, hypotension and prerenal kidney injury.",
        management: "Assess volume status before starting; consider lowering the furosemide dose in \
            euvolemic patients, and check creatinine and blood pressure after starting.",
    },
    Interaction {
        drugs: &["metformin"],
        interacts_with: &["furosemide"],
        severity: Severity::Minor,
        mechanism: "In a single-dose study furosemide raised metformin peak levels about 22% and \
            metformin lowered furosemide levels. Diuretic-induced volume depletion or acute kidney injury \
            also raises the risk of metformin-associated lactic acidosis.",
        management: "No routine change. Monitor kidney function and glucose; hold metformin during \
            dehydration or acute kidney injury.",
    },
    Interaction {
        drugs: BETA_BLOCKERS,
        interacts_with: &["diltiazem"],
        severity: Severity::Major,
        mechanism: "Additive slowing of the sinus node and AV conduction and negative inotropy: \
            bradycardia, AV block, hypotension and heart failure; diltiazem can also raise \
            metoprolol and propranolol levels.",
        management: "Avoid in heart failure with reduced ejection fraction or conduction disease. If \
            combined (for example for atrial fibrillation rate control), start low, titrate \
            slowly, and monitor heart rate, blood pressure and the ECG (PR interval).",
    },
    Interaction {
        drugs: BETA_BLOCKERS,
        interacts_with: BETA_BLOCKERS,
        severity: Severity::Major,
        mechanism: "Two beta-blockers: duplication with additive bradycardia, hypotension and heart \
            block and no added benefit.",
        management: "Use one. When switching (for example to carvedilol in heart failure), stop the \
            first and start the second at an equivalent or lower dose.",
    },
    Interaction {
        drugs: &["bupropion", "fluoxetine"],
        interacts_with: &["metoprolol"],
        severity: Severity::Moderate,
        mechanism: "Bupropion and fluoxetine strongly inhibit CYP2D6, the main pathway of metoprolol: \
            its levels can rise substantially, with bradycardia and hypotension.",
        management: "Start metoprolol low (or reduce it when the inhibitor is added) and monitor heart \
            rate and blood pressure; a beta-blocker not cleared by CYP2D6 (such as bisoprolol or \
            atenolol) avoids the interaction.",
    },
    Interaction {
        drugs: &["albuterol"],
        interacts_with: &["propranolol", "carvedilol"],
        severity: Severity::Major,
        mechanism: "Nonselective beta-blockers block beta-2 receptors in the airways: they oppose \
            albuterol's bronchodilation and can provoke severe bronchospasm in asthma or COPD.",
        management: "Avoid nonselective beta-blockers in asthma. If a beta-blocker is needed, use a \
            beta-1 selective one (metoprolol, bisoprolol) at a low dose, and monitor respiratory \
            symptoms.",
    },
    Interaction {
        drugs: &["propranolol"],
        interacts_with: &["insulin glargine", "glipizide"],
        severity: Severity::Moderate,
        mechanism: "Nonselective beta-blockade masks adrenergic warning signs of hypoglycemia \
            (tremor, palpitations) and delays glucose recovery; sweating is preserved.",
        management: "Prefer a beta-1 selective blocker in insulin- or sulfonylurea-treated diabetes. \
            Teach patients to recognize hypoglycemia by sweating and confusion, and to monitor \
            glucose.",
    },
    // Serotonin syndrome and seizures.
    Interaction {
        drugs: SEROTONERGIC_ANTIDEPRESSANTS,
        interacts_with: &["tramadol"],
        severity: Severity::Major,
        mechanism: "Tramadol inhibits serotonin reuptake: with an SSRI or SNRI it can cause serotonin \
            syndrome, and it lowers the seizure threshold. CYP2D6 inhibition (strong with \
            fluoxetine, moderate with duloxetine and higher-dose sertraline) also cuts conversion to \
            the active opioid metabolite, weakening analgesia while raising tramadol levels.",
        management: "Avoid when possible; choose a non-serotonergic analgesic. If combined, use the \
            lowest tramadol dose and counsel about serotonin syndrome (agitation, tremor, clonus, \
            hyperthermia, diarrhea) and seizures.",
    },
    Interaction {
        drugs: &["bupropion"],
        interacts_with: &["tramadol"],
        severity: Severity::Major,
        mechanism: "Both lower the seizure threshold in a dose-related way. Bupropion strongly \
            inhibits CYP2D6, which reduces tramadol's conversion to its active metabolite (weaker \
            analgesia) and raises tramadol levels.",
        management: "Avoid, especially with other seizure risk factors (alcohol withdrawal, eating \
            disorder, head injury). If unavoidable, use the lowest doses and never exceed \
            bupropion's maximum.",
    },
    Interaction {
        drugs: SEROTONERGIC_ANTIDEPRESSANTS,
        interacts_with: SEROTONERGIC_ANTIDEPRESSANTS,
        severity: Severity::Major,
        mechanism: "Two serotonin reuptake inhibitors: duplication with serotonin syndrome risk and \
            additive hyponatremia and bleeding risk, without proven added benefit; fluoxetine \
            inhibits CYP2D6 and raises duloxetine levels.",
        management: "Avoid. When switching, cross-taper or taper and switch (allow for fluoxetine's \
            long washout), and watch for serotonin syndrome.",
    },
    Interaction {
        drugs: &["bupropion"],
        interacts_with: SEROTONERGIC_ANTIDEPRESSANTS,
        severity: Severity::Moderate,
        mechanism: "Bupropion strongly inhibits CYP2D6, raising levels of fluoxetine, duloxetine and \
            (modestly) sertraline and escitalopram, and both lower the seizure threshold.",
        management: "A common augmentation strategy: keep bupropion within its maximum, consider \
            lower doses of the CYP2D6-cleared antidepressant, and monitor for adverse effects and \
            seizure risk factors.",
    },
    Interaction {
        drugs: &["trazodone"],
        interacts_with: &["sertraline", "fluoxetine", "escitalopram", "duloxetine", "tramadol"],
        severity: Severity::Moderate,
        mechanism: "Additive serotonergic activity (serotonin syndrome, rarely) and additive sedation \
            and dizziness; fluoxetine can raise trazodone levels.",
        management: "Low-dose trazodone is commonly combined: start low, counsel about sedation, \
            falls and serotonin syndrome symptoms.",
    },
    Interaction {
        drugs: &["sumatriptan"],
        interacts_with: &["sertraline", "fluoxetine", "escitalopram", "duloxetine", "tramadol"],
        severity: Severity::Moderate,
        mechanism: "Triptans are serotonin 5-HT1B/1D agonists; the FDA warns of serotonin syndrome with \
            SSRIs, SNRIs and other serotonergic drugs, although the observed risk is very low.",
        management: "Do not withhold the combination when it is needed (American Headache Society); \
            counsel the patient about serotonin syndrome symptoms and seek care if they occur.",
    },
    Interaction {
        drugs: &["ondansetron"],
        interacts_with: &["sertraline", "fluoxetine", "duloxetine", "tramadol"],
        severity: Severity::Moderate,
        mechanism: "Serotonin syndrome has been reported with 5-HT3 antagonists combined with \
            serotonergic drugs; ondansetron may also reduce tramadol's analgesia.",
        management: "Usually acceptable; monitor for serotonin syndrome symptoms, and reassess pain \
            control with tramadol.",
    },
    Interaction {
        drugs: &["tramadol"],
        interacts_with: &["gabapentin"],
        severity: Severity::Major,
        mechanism: "Additive CNS and respiratory depression: gabapentinoids with opioids raise the \
            risk of opioid-related respiratory depression and death (FDA warning).",
        management: "Avoid if possible. Otherwise start gabapentin low and titrate slowly, use the \
            lowest tramadol dose, and monitor sedation and breathing, especially in older adults, \
            lung disease or renal impairment.",
    },
    Interaction {
        drugs: &["duloxetine"],
        interacts_with: &["ciprofloxacin"],
        severity: Severity::Major,
        mechanism: "Ciprofloxacin is a potent CYP1A2 inhibitor; duloxetine is mainly cleared by \
            CYP1A2, so its exposure rises several-fold (nausea, hypertension, serotonergic effects).",
        management: "The duloxetine label says to avoid potent CYP1A2 inhibitors: choose another \
            antibiotic, or hold duloxetine during a short course.",
    },
    Interaction {
        drugs: &["escitalopram"],
        interacts_with: &["omeprazole"],
        severity: Severity::Minor,
        mechanism: "Omeprazole inhibits CYP2C19, raising escitalopram levels by about 50%.",
        management: "No routine change; consider this if dose-related adverse effects or QT concerns \
            arise, and keep escitalopram within 10 mg/day in older adults.",
    },
    // QT prolongation.
    Interaction {
        drugs: QT_PROLONGING,
        interacts_with: QT_PROLONGING,
        severity: Severity::Major,
        mechanism: "Both prolong the QT interval (known risk of torsades de pointes): together the risk \
            adds up, especially with hypokalemia, hypomagnesemia, bradycardia, heart disease, \
            female sex or older age. Clarithromycin and fluconazole also inhibit CYP3A4.",
        management: "Avoid when an alternative exists. If needed, check a baseline ECG, correct \
            potassium and magnesium, and monitor the QTc; stop one drug if the QTc exceeds 500 ms or \
            rises by more than 60 ms.",
    },
    // Muscle toxicity and statins.
    Interaction {
        drugs: &["simvastatin"],
        interacts_with: &["amlodipine"],
        severity: Severity::Moderate,
        mechanism: "Amlodipine weakly inhibits CYP3A4 and roughly doubles simvastatin exposure, \
            raising the risk of myopathy.",
        management: "Do not exceed simvastatin 20 mg/day with amlodipine; if more LDL lowering is \
            needed, switch to atorvastatin or rosuvastatin.",
    },
    Interaction {
        drugs: &["simvastatin"],
        interacts_with: &["diltiazem"],
        severity: Severity::Major,
        mechanism: "Diltiazem moderately inhibits CYP3A4, raising simvastatin exposure several-fold \
            (up to about 5-fold), with myopathy and rhabdomyolysis risk.",
        management: "Do not exceed simvastatin 10 mg/day with diltiazem; switching to rosuvastatin or \
            pravastatin avoids the interaction.",
    },
    Interaction {
        drugs: &["atorvastatin"],
        interacts_with: &["clarithromycin"],
        severity: Severity::Major,
        mechanism: "Clarithromycin strongly inhibits CYP3A4, raising atorvastatin exposure about \
            4-fold, with myopathy risk.",
        management: "Limit atorvastatin to 20 mg/day during the course (or pause it), or use \
            azithromycin instead.",
    },
    Interaction {
        drugs: STATINS,
        interacts_with: STATINS,
        severity: Severity::Moderate,
        mechanism: "Two statins: duplication that adds myopathy risk without added LDL lowering over \
            one statin at an adequate dose.",
        management: "Use one statin at the intensity needed; add ezetimibe rather than a second statin.",
    },
    Interaction {
        drugs: &["colchicine"],
        interacts_with: &["clarithromycin"],
        severity: Severity::Major,
        mechanism: "Clarithromycin strongly inhibits CYP3A4 and P-gp, greatly raising colchicine \
            levels; fatal colchicine toxicity (multi-organ failure, pancytopenia) has been reported.",
        management: "Contraindicated in renal or hepatic impairment. With normal function, avoid or \
            cut colchicine sharply: a flare is treated with 0.6 mg then 0.3 mg an hour later, not \
            repeated within 3 days; prophylaxis at most 0.3 mg daily. Azithromycin is an \
            alternative antibiotic.",
    },
    Interaction {
        drugs: &["colchicine"],
        interacts_with: &["diltiazem", "fluconazole"],
        severity: Severity::Major,
        mechanism: "Moderate CYP3A4 inhibitors raise colchicine levels, with gastrointestinal, \
            neuromuscular and bone-marrow toxicity.",
        management: "Reduce colchicine: a flare is treated with a single 1.2 mg dose, not repeated \
            within 3 days; prophylaxis 0.3 mg twice daily or 0.6 mg once daily at most. Monitor for \
            muscle weakness and diarrhea.",
    },
    Interaction {
        drugs: &["colchicine"],
        interacts_with: STATINS,
        severity: Severity::Moderate,
        mechanism: "Additive muscle toxicity: myopathy and rhabdomyolysis have been reported, mostly \
            with renal impairment or older age; shared CYP3A4/P-gp pathways may add to it with \
            atorvastatin and simvastatin.",
        management: "Commonly combined (including low-dose colchicine for cardiovascular \
            prevention): use the lowest colchicine dose, adjust for kidney function, and check CK if \
            muscle pain or weakness develops.",
    },
    Interaction {
        drugs: &["ciprofloxacin"],
        interacts_with: &["prednisone"],
        severity: Severity::Major,
        mechanism: "Corticosteroids add to fluoroquinolone-associated tendinopathy: the risk of \
            tendinitis and tendon rupture (often Achilles) is several times higher, especially over \
            age 60 or after transplant.",
        management: "Avoid the combination when an alternative antibiotic exists, especially in older \
            adults. If used, tell the patient to stop and rest at the first tendon pain or swelling.",
    },
    Interaction {
        drugs: &["prednisone"],
        interacts_with: &["ibuprofen", "naproxen", "aspirin"],
        severity: Severity::Moderate,
        mechanism: "Glucocorticoids with NSAIDs raise peptic ulcer and gastrointestinal bleeding risk \
            beyond either alone (about 4-fold versus non-users); corticosteroids also lower \
            salicylate levels.",
        management: "Avoid when possible; if combined, add a PPI, use the shortest course, and watch \
            for bleeding.",
    },
    Interaction {
        drugs: &["prednisone"],
        interacts_with: GLUCOSE_LOWERING,
        severity: Severity::Moderate,
        mechanism: "Glucocorticoids raise blood glucose (insulin resistance and hepatic glucose \
            output), mainly in the afternoon and evening after a morning dose, opposing the \
            glucose-lowering drug.",
        management: "Monitor glucose more often (pre-lunch and pre-dinner) during the course; \
            intensify therapy as needed (often NPH or prandial insulin in proportion to the \
            steroid dose) and scale back when the steroid is tapered, to avoid hypoglycemia.",
    },
    // Glucose.
    Interaction {
        drugs: &["glipizide", "insulin glargine"],
        interacts_with: &["ciprofloxacin"],
        severity: Severity::Major,
        mechanism: "Fluoroquinolones cause dysglycemia: they stimulate insulin release (pancreatic \
            K-ATP channel blockade), producing severe, prolonged hypoglycemia with sulfonylureas or \
            insulin, especially in older adults and renal impairment; hyperglycemia also occurs.",
        management: "Prefer another antibiotic in older or renally impaired patients. Otherwise monitor \
            glucose closely during and shortly after the course and teach hypoglycemia recognition.",
    },
    Interaction {
        drugs: &["glipizide"],
        interacts_with: &["fluconazole", "sulfamethoxazole-trimethoprim"],
        severity: Severity::Major,
        mechanism: "Fluconazole and sulfamethoxazole inhibit CYP2C9, the main pathway of glipizide, and \
            sulfonamides can themselves stimulate insulin release: hypoglycemia requiring \
            hospitalization is more frequent.",
        management: "Prefer another anti-infective, or reduce the sulfonylurea dose and monitor \
            glucose closely for the course and a few days after.",
    },
    Interaction {
        drugs: &["glipizide"],
        interacts_with: &["insulin glargine"],
        severity: Severity::Moderate,
        mechanism: "Additive glucose lowering: hypoglycemia risk rises as basal insulin is titrated.",
        management: "A common combination: reduce or stop the sulfonylurea as insulin is intensified \
            (especially with prandial insulin), and monitor glucose.",
    },
    Interaction {
        drugs: INCRETIN_AGONISTS,
        interacts_with: &["insulin glargine", "glipizide"],
        severity: Severity::Moderate,
        mechanism: "GLP-1-based drugs lower glucose further; with insulin or a sulfonylurea the risk of \
            hypoglycemia rises.",
        management: "When starting, consider reducing the sulfonylurea or basal insulin dose (for \
            example by 10-20% if HbA1c is near target) and monitor glucose during dose escalation.",
    },
    Interaction {
        drugs: INCRETIN_AGONISTS,
        interacts_with: &["sitagliptin", "semaglutide", "liraglutide", "tirzepatide"],
        severity: Severity::Moderate,
        mechanism: "Overlapping incretin mechanisms: two GLP-1-based drugs, or a DPP-4 inhibitor with a \
            GLP-1 receptor agonist, add gastrointestinal adverse effects and little or no glucose \
            lowering.",
        management: "Do not combine: stop the DPP-4 inhibitor when a GLP-1 receptor agonist or \
            tirzepatide is started, and use only one GLP-1-based drug.",
    },
    Interaction {
        drugs: SGLT2_INHIBITORS,
        interacts_with: SGLT2_INHIBITORS,
        severity: Severity::Moderate,
        mechanism: "Two SGLT2 inhibitors: duplication with additive volume depletion and \
            ketoacidosis risk and no added benefit.",
        management: "Use one.",
    },
    // Absorption.
    Interaction {
        drugs: &["levothyroxine"],
        interacts_with: PROTON_PUMP_INHIBITORS,
        severity: Severity::Moderate,
        mechanism: "Gastric acid helps dissolve levothyroxine tablets; PPIs can reduce its absorption, \
            raising TSH.",
        management: "Check TSH 6-8 weeks after starting or stopping the PPI and adjust the dose; \
            liquid or soft-gel levothyroxine (Tirosint) is less affected.",
    },
    Interaction {
        drugs: PROTON_PUMP_INHIBITORS,
        interacts_with: PROTON_PUMP_INHIBITORS,
        severity: Severity::Minor,
        mechanism: "Two proton pump inhibitors: duplication with no added acid suppression and more \
            long-term adverse effect exposure.",
        management: "Use one; for nocturnal symptoms adjust its timing or dose instead.",
    },
    Interaction {
        drugs: NSAIDS,
        interacts_with: NSAIDS,
        severity: Severity::Major,
        mechanism: "Two NSAIDs: gastrointestinal bleeding, kidney injury and cardiovascular risk add \
            up without added pain relief.",
        management: "Use one NSAID at a time, at the lowest effective dose.",
    },
    Interaction {
        drugs: &["alendronate"],
        interacts_with: &["aspirin", "ibuprofen", "naproxen"],
        severity: Severity::Minor,
        mechanism: "Both irritate the upper gastrointestinal mucosa; upper GI adverse events were more \
            frequent with alendronate plus aspirin above 10 mg/day.",
        management: "Take alendronate correctly (upright, full glass of water, 30 minutes before \
            food) and report dyspepsia, heartburn or dysphagia.",
    },
    Interaction {
        drugs: &["allopurinol"],
        interacts_with: &["amoxicillin"],
        severity: Severity::Minor,
        mechanism: "Non-allergic maculopapular rash is more frequent when ampicillin or amoxicillin is \
            given with allopurinol (about 22% versus 7.5% with ampicillin alone in the original \
            surveillance data); the cause is unclear.",
        management: "May be combined; tell the patient about the rash. Distinguish it from allopurinol \
            hypersensitivity: fever, mucosal involvement, blistering or organ dysfunction mean stop \
            allopurinol and seek care.",
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formulary;

    fn severity(a: &str, b: &str) -> Option<Severity> {
        between(a, b).map(|entry| entry.severity)
    }

    #[test]
    fn every_named_drug_is_a_formulary_generic() {
        for entry in INTERACTIONS {
            for name in entry.drugs.iter().chain(entry.interacts_with) {
                assert_eq!(
                    crate::resolve(name),
                    Some(*name),
                    "`{name}` in the interaction table is not a formulary generic name"
                );
            }
        }
    }

    #[test]
    fn no_pair_is_covered_twice_and_there_are_at_least_25() {
        let names: Vec<&str> = crate::generic_names().collect();
        let mut pairs = 0;
        for (i, a) in names.iter().enumerate() {
            for b in &names[i + 1..] {
                let covering: Vec<usize> = (0..INTERACTIONS.len())
                    .filter(|&k| INTERACTIONS[k].covers(a, b))
                    .collect();
                assert!(covering.len() <= 1, "{a} + {b} is in entries {covering:?}");
                pairs += covering.len();
            }
        }
        assert!(pairs >= 25, "{pairs} pairs");
        assert!(INTERACTIONS.len() >= 25, "{} entries", INTERACTIONS.len());
    }

    #[test]
    fn every_entry_has_text_and_covers_a_pair() {
        for entry in INTERACTIONS {
            assert!(!entry.mechanism.trim().is_empty());
            assert!(!entry.management.trim().is_empty());
            let covers_some = entry
                .drugs
                .iter()
                .any(|a| entry.interacts_with.iter().any(|b| entry.covers(a, b)));
            assert!(covers_some, "{:?} covers no pair", entry.drugs);
        }
    }

    #[test]
    fn order_does_not_matter() {
        for (a, b) in [
            ("warfarin", "aspirin"),
            ("clopidogrel", "omeprazole"),
            ("sertraline", "tramadol"),
            ("azithromycin", "ciprofloxacin"),
        ] {
            assert!(between(a, b).is_some(), "{a} + {b}");
            assert_eq!(between(a, b), between(b, a), "{a} + {b}");
        }
    }

    #[test]
    fn known_pairs_have_the_expected_severity() {
        use Severity::*;
        for (a, b, expected) in [
            ("warfarin", "aspirin", Major),
            ("warfarin", "ibuprofen", Major),
            ("warfarin", "naproxen", Major),
            ("warfarin", "ciprofloxacin", Major),
            ("warfarin", "fluconazole", Major),
            ("apixaban", "aspirin", Major),
            ("clopidogrel", "omeprazole", Major),
            ("lisinopril", "spironolactone", Major),
            ("losartan", "spironolactone", Major),
            ("lisinopril", "losartan", Major),
            ("sertraline", "tramadol", Major),
            ("fluoxetine", "tramadol", Major),
            ("escitalopram", "tramadol", Major),
            ("simvastatin", "amlodipine", Moderate),
            ("levothyroxine", "omeprazole", Moderate),
            ("metformin", "furosemide", Minor),
            ("glipizide", "ciprofloxacin", Major),
            ("sertraline", "aspirin", Moderate),
            ("sertraline", "ibuprofen", Moderate),
            ("lisinopril", "ibuprofen", Moderate),
            ("furosemide", "ibuprofen", Moderate),
            ("allopurinol", "amoxicillin", Minor),
            ("ciprofloxacin", "prednisone", Major),
            ("azithromycin", "ciprofloxacin", Major),
            ("colchicine", "atorvastatin", Moderate),
            ("colchicine", "simvastatin", Moderate),
            ("bupropion", "tramadol", Major),
            ("sumatriptan", "sertraline", Moderate),
            ("nitroglycerin", "sildenafil", Contraindicated),
            ("simvastatin", "clarithromycin", Contraindicated),
        ] {
            assert_eq!(severity(a, b), Some(expected), "{a} + {b}");
        }
    }

    #[test]
    fn safe_pairs_have_no_interaction() {
        for (a, b) in [
            ("metformin", "atorvastatin"),
            ("clopidogrel", "pantoprazole"),
            ("lisinopril", "amlodipine"),
            ("levothyroxine", "sertraline"),
            ("acetaminophen", "amoxicillin"),
        ] {
            assert_eq!(severity(a, b), None, "{a} + {b}");
        }
    }

    #[test]
    fn a_drug_does_not_interact_with_itself() {
        for drug in formulary::DRUGS {
            assert!(between(drug.generic_name, drug.generic_name).is_none());
        }
    }

    #[test]
    fn severity_orders_and_names() {
        assert!(Severity::Contraindicated > Severity::Major);
        assert!(Severity::Major > Severity::Moderate);
        assert!(Severity::Moderate > Severity::Minor);
        assert_eq!(
            serde_json::to_value(Severity::Contraindicated).unwrap(),
            Severity::Contraindicated.name()
        );
    }
}

//! The formulary's entries, grouped by therapeutic area. Adult dosing and
//! renal thresholds follow current FDA labeling, with guideline practice
//! (ADA, ACC/AHA, KDIGO, ACR, IDSA) noted where it differs from the label.
//! Every name in the table must be unique across entries and ASCII; the
//! tests in `formulary` check both.

use super::Drug;

/// Every drug in the formulary.
pub static DRUGS: &[Drug] = &[
    // Diabetes.
    Drug {
        generic_name: "metformin",
        brand_names: &["Glucophage", "Glucophage XR", "Glumetza", "Fortamet", "Riomet"],
        other_names: &[],
        drug_class: "Biguanide",
        indications: &[
            "Type 2 diabetes mellitus (first-line glucose-lowering therapy)",
            "Prevention of type 2 diabetes in high-risk prediabetes (off-label; ADA-endorsed)",
        ],
        adult_dosing: "Immediate release: 500 mg once or twice daily (or 850 mg once daily) with meals; \
            increase by 500 mg weekly (or 850 mg every 2 weeks) as tolerated; usual effective dose \
            2,000 mg/day in divided doses; maximum 2,550 mg/day. Extended release: 500-1,000 mg once \
            daily with the evening meal; increase by 500 mg weekly; maximum 2,000 mg/day.",
        renal_adjustment: "Check eGFR before starting and at least yearly. eGFR < 30: contraindicated. \
            eGFR 30-45: do not start; if eGFR falls below 45 on treatment, reassess benefit and risk \
            (guidelines cap the dose at 1,000 mg/day). Hold before or at the time of iodinated \
            contrast when eGFR is 30-60, and restart only if eGFR is stable 48 hours later.",
        contraindications: &[
            "eGFR below 30 mL/min/1.73 m2",
            "Acute or chronic metabolic acidosis, including diabetic ketoacidosis",
            "Hypersensitivity to metformin",
        ],
        common_adverse_effects: &[
            "Diarrhea, nausea, vomiting, flatulence and abdominal discomfort (lessened by slow titration and extended release)",
            "Metallic taste",
            "Vitamin B12 deficiency with long-term use",
            "Lactic acidosis (rare; risk with renal impairment, hypoxia, sepsis, heavy alcohol use, contrast)",
        ],
        monitoring: &[
            "HbA1c every 3-6 months",
            "eGFR at least yearly; every 3-6 months when eGFR is below 60",
            "Vitamin B12 periodically, especially with neuropathy or anemia",
        ],
    },
    Drug {
        generic_name: "empagliflozin",
        brand_names: &["Jardiance"],
        other_names: &[],
        drug_class: "Sodium-glucose cotransporter 2 (SGLT2) inhibitor",
        indications: &[
            "Type 2 diabetes mellitus (glycemic control)",
            "Reduction of cardiovascular death in type 2 diabetes with established cardiovascular disease",
            "Heart failure (reduced or preserved ejection fraction): reduce cardiovascular death and heart failure hospitalization",
            "Chronic kidney disease at risk of progression: reduce eGFR decline, kidney failure, cardiovascular death and hospitalization",
        ],
        adult_dosing: "10 mg once daily in the morning, with or without food. For additional glycemic \
            control may increase to 25 mg once daily. Heart failure and CKD: 10 mg once daily. \
            Maximum 25 mg/day.",
        renal_adjustment: "Heart failure, CKD or cardiovascular risk reduction: may start at eGFR >= 20 \
            and continue below that. Glycemic control: not recommended (likely ineffective) at eGFR \
            < 30. Not recommended on dialysis. An initial eGFR dip of a few mL/min is expected and not \
            a reason to stop.",
        contraindications: &[
            "Serious hypersensitivity to empagliflozin",
            "Type 1 diabetes (not indicated: ketoacidosis risk)",
        ],
        common_adverse_effects: &[
            "Genital mycotic infections",
            "Urinary tract infections",
            "Increased urination, volume depletion and hypotension",
            "Euglycemic diabetic ketoacidosis (rare)",
            "Necrotizing fasciitis of the perineum (Fournier gangrene, rare)",
        ],
        monitoring: &[
            "eGFR and volume status at baseline and after starting",
            "Blood pressure; reduce diuretic dose if volume-depleted",
            "HbA1c in diabetes; reduce insulin or sulfonylurea dose to avoid hypoglycemia",
            "Ketoacidosis symptoms; hold at least 3 days before scheduled surgery and during acute illness",
            "Genital hygiene and infection symptoms",
        ],
    },
    Drug {
        generic_name: "dapagliflozin",
        brand_names: &["Farxiga"],
        other_names: &[],
        drug_class: "Sodium-glucose cotransporter 2 (SGLT2) inhibitor",
        indications: &[
            "Type 2 diabetes mellitus (glycemic control)",
            "Reduction of heart failure hospitalization in type 2 diabetes with cardiovascular disease or risk factors",
            "Heart failure: reduce cardiovascular death, heart failure hospitalization and urgent visits",
            "Chronic kidney disease at risk of progression: reduce eGFR decline, kidney failure, cardiovascular death and heart failure hospitalization",
        ],
        adult_dosing: "Type 2 diabetes: 5 mg once daily in the morning, increase to 10 mg once daily if \
            needed. Heart failure and CKD: 10 mg once daily. Maximum 10 mg/day.",
        renal_adjustment: "Do not start at eGFR < 25; patients already on it may continue 10 mg daily \
            for kidney and heart-failure benefit. Glycemic control: not recommended (likely \
            ineffective) at eGFR < 45. Not recommended on dialysis.",
        contraindications: &[
            "Serious hypersensitivity to dapagliflozin",
            "Type 1 diabetes (not indicated: ketoacidosis risk)",
        ],
        common_adverse_effects: &[
            "Genital mycotic infections",
            "Urinary tract infections",
            "Increased urination, volume depletion and hypotension",
            "Euglycemic diabetic ketoacidosis (rare)",
            "Necrotizing fasciitis of the perineum (Fournier gangrene, rare)",
        ],
        monitoring: &[
            "eGFR and volume status at baseline and after starting",
            "Blood pressure; reduce diuretic dose if volume-depleted",
            "HbA1c in diabetes; reduce insulin or sulfonylurea dose to avoid hypoglycemia",
            "Ketoacidosis symptoms; hold at least 3 days before scheduled surgery and during acute illness",
        ],
    },
    Drug {
        generic_name: "canagliflozin",
        brand_names: &["Invokana"],
        other_names: &[],
        drug_class: "Sodium-glucose cotransporter 2 (SGLT2) inhibitor",
        indications: &[
            "Type 2 diabetes mellitus (glycemic control)",
            "Reduction of major adverse cardiovascular events in type 2 diabetes with established cardiovascular disease",
            "Diabetic kidney disease with albuminuria > 300 mg/day: reduce kidney failure, creatinine doubling, cardiovascular death and heart failure hospitalization",
        ],
        adult_dosing: "100 mg once daily before the first meal of the day; may increase to 300 mg once \
            daily if eGFR >= 60 and more glycemic control is needed. Maximum 300 mg/day.",
        renal_adjustment: "eGFR >= 60: up to 300 mg daily. eGFR 30-59: 100 mg daily. eGFR < 30: do not \
            start; patients with albuminuria > 300 mg/day may continue 100 mg daily for kidney \
            protection. Not recommended on dialysis.",
        contraindications: &[
            "Serious hypersensitivity to canagliflozin",
            "Type 1 diabetes (not indicated: ketoacidosis risk)",
        ],
        common_adverse_effects: &[
            "Genital mycotic infections",
            "Urinary tract infections and increased urination",
            "Volume depletion and hypotension",
            "Hyperkalemia, especially with renal impairment or potassium-sparing drugs",
            "Lower-limb amputation and bone fracture risk (observed in trials)",
            "Euglycemic diabetic ketoacidosis (rare)",
        ],
        monitoring: &[
            "eGFR and potassium at baseline and periodically",
            "Volume status and blood pressure",
            "Foot examination: ulcers, infection or new pain (amputation risk)",
            "HbA1c; ketoacidosis symptoms; hold at least 3 days before scheduled surgery",
        ],
    },
    Drug {
        generic_name: "semaglutide",
        brand_names: &["Ozempic", "Wegovy", "Rybelsus"],
        other_names: &[],
        drug_class: "Glucagon-like peptide-1 (GLP-1) receptor agonist",
        indications: &[
            "Type 2 diabetes mellitus (glycemic control; Ozempic, Rybelsus)",
            "Reduction of major adverse cardiovascular events in type 2 diabetes with established cardiovascular disease (Ozempic)",
            "Reduction of kidney disease progression and cardiovascular death in type 2 diabetes with chronic kidney disease (Ozempic)",
            "Chronic weight management with BMI >= 30, or >= 27 with a weight-related condition (Wegovy)",
            "Reduction of major adverse cardiovascular events in adults with cardiovascular disease and obesity or overweight (Wegovy)",
        ],
        adult_dosing: "Ozempic (subcutaneous, weekly): 0.25 mg once weekly for 4 weeks (initiation only), \
            then 0.5 mg weekly; increase after at least 4 weeks to 1 mg, then 2 mg if needed; maximum \
            2 mg weekly. Wegovy: 0.25 mg weekly, increased every 4 weeks through 0.5, 1 and 1.7 mg to \
            a 2.4 mg maintenance dose (1.7 mg if 2.4 mg is not tolerated). Rybelsus (oral): 3 mg daily \
            for 30 days, then 7 mg daily; may increase to 14 mg after 30 days; take on an empty \
            stomach with up to 120 mL of water, 30 minutes before food or other medicines.",
        renal_adjustment: "No dose adjustment, including end-stage kidney disease. Severe nausea, \
            vomiting or diarrhea can cause dehydration and acute kidney injury: monitor kidney \
            function in patients with renal impairment who report them.",
        contraindications: &[
            "Personal or family history of medullary thyroid carcinoma",
            "Multiple endocrine neoplasia syndrome type 2 (MEN 2)",
            "Serious hypersensitivity to semaglutide",
        ],
        common_adverse_effects: &[
            "Nausea, vomiting, diarrhea, constipation and abdominal pain (most during dose escalation)",
            "Decreased appetite, dyspepsia",
            "Hypoglycemia when combined with insulin or a sulfonylurea",
            "Gallbladder disease (cholelithiasis, cholecystitis)",
            "Acute pancreatitis (rare)",
            "Worsening diabetic retinopathy with rapid glucose lowering",
        ],
        monitoring: &[
            "HbA1c and weight",
            "Gastrointestinal tolerance and hydration; kidney function if severe GI losses",
            "Symptoms of pancreatitis (severe persistent abdominal pain) and gallbladder disease",
            "Retinal examination in patients with diabetic retinopathy",
            "Reduce insulin or sulfonylurea dose when starting to avoid hypoglycemia",
        ],
    },
    Drug {
        generic_name: "liraglutide",
        brand_names: &["Victoza", "Saxenda"],
        other_names: &[],
        drug_class: "Glucagon-like peptide-1 (GLP-1) receptor agonist",
        indications: &[
            "Type 2 diabetes mellitus (glycemic control; Victoza)",
            "Reduction of major adverse cardiovascular events in type 2 diabetes with established cardiovascular disease (Victoza)",
            "Chronic weight management with BMI >= 30, or >= 27 with a weight-related condition (Saxenda)",
        ],
        adult_dosing: "Victoza (subcutaneous, once daily): 0.6 mg daily for 1 week (initiation only), \
            then 1.2 mg daily; may increase to 1.8 mg daily after at least 1 week; maximum 1.8 mg/day. \
            Saxenda: 0.6 mg daily, increased by 0.6 mg each week to 3 mg daily; maximum 3 mg/day.",
        renal_adjustment: "No dose adjustment; limited experience in end-stage kidney disease. Monitor \
            kidney function when nausea, vomiting or diarrhea cause dehydration.",
        contraindications: &[
            "Personal or family history of medullary thyroid carcinoma",
            "Multiple endocrine neoplasia syndrome type 2 (MEN 2)",
            "Serious hypersensitivity to liraglutide",
        ],
        common_adverse_effects: &[
            "Nausea, diarrhea, vomiting, constipation and dyspepsia",
            "Headache, decreased appetite, injection-site reactions",
            "Increased heart rate",
            "Hypoglycemia when combined with insulin or a sulfonylurea",
            "Gallbladder disease and acute pancreatitis (rare)",
        ],
        monitoring: &[
            "HbA1c and weight",
            "Gastrointestinal tolerance and hydration",
            "Heart rate",
            "Symptoms of pancreatitis and gallbladder disease",
            "Reduce insulin or sulfonylurea dose when starting to avoid hypoglycemia",
        ],
    },
    Drug {
        generic_name: "tirzepatide",
        brand_names: &["Mounjaro", "Zepbound"],
        other_names: &[],
        drug_class: "Dual GIP and GLP-1 receptor agonist",
        indications: &[
            "Type 2 diabetes mellitus (glycemic control; Mounjaro)",
            "Chronic weight management with BMI >= 30, or >= 27 with a weight-related condition (Zepbound)",
            "Moderate to severe obstructive sleep apnea in adults with obesity (Zepbound)",
        ],
        adult_dosing: "2.5 mg subcutaneously once weekly for 4 weeks (initiation only), then 5 mg \
            weekly; increase in 2.5 mg steps after at least 4 weeks on the current dose as needed; \
            maintenance 5, 10 or 15 mg weekly (10 or 15 mg for sleep apnea); maximum 15 mg weekly.",
        renal_adjustment: "No dose adjustment. Monitor kidney function when severe gastrointestinal \
            reactions cause dehydration.",
        contraindications: &[
            "Personal or family history of medullary thyroid carcinoma",
            "Multiple endocrine neoplasia syndrome type 2 (MEN 2)",
            "Serious hypersensitivity to tirzepatide",
        ],
        common_adverse_effects: &[
            "Nausea, diarrhea, vomiting, constipation and abdominal pain (most during dose escalation)",
            "Decreased appetite, dyspepsia",
            "Hypoglycemia when combined with insulin or a sulfonylurea",
            "Gallbladder disease and acute pancreatitis (rare)",
        ],
        monitoring: &[
            "HbA1c and weight",
            "Gastrointestinal tolerance and hydration",
            "Symptoms of pancreatitis and gallbladder disease",
            "Oral hormonal contraceptives are less reliable: use a non-oral or added barrier method for 4 weeks after starting and after each dose increase",
        ],
    },
    Drug {
        generic_name: "sitagliptin",
        brand_names: &["Januvia", "Zituvio"],
        other_names: &[],
        drug_class: "Dipeptidyl peptidase-4 (DPP-4) inhibitor",
        indications: &["Type 2 diabetes mellitus (glycemic control)"],
        adult_dosing: "100 mg once daily, with or without food. No titration; maximum 100 mg/day.",
        renal_adjustment: "eGFR >= 45: 100 mg daily. eGFR 30 to < 45: 50 mg daily. eGFR < 30, \
            including dialysis: 25 mg daily.",
        contraindications: &[
            "Serious hypersensitivity to sitagliptin (anaphylaxis, angioedema, Stevens-Johnson syndrome)",
        ],
        common_adverse_effects: &[
            "Nasopharyngitis, upper respiratory tract infection",
            "Headache",
            "Hypoglycemia when combined with insulin or a sulfonylurea",
            "Joint pain (can be severe)",
            "Acute pancreatitis and bullous pemphigoid (rare)",
        ],
        monitoring: &[
            "HbA1c",
            "eGFR before starting and periodically, for dosing",
            "Symptoms of pancreatitis and blistering skin lesions",
        ],
    },
    Drug {
        generic_name: "glipizide",
        brand_names: &["Glucotrol", "Glucotrol XL"],
        other_names: &[],
        drug_class: "Sulfonylurea (second generation)",
        indications: &["Type 2 diabetes mellitus (glycemic control)"],
        adult_dosing: "Immediate release: 5 mg once daily 30 minutes before breakfast (2.5 mg in older \
            adults or liver disease); increase by 2.5-5 mg every few days according to glucose; \
            divide doses above 15 mg/day; maximum 40 mg/day. Extended release: 5 mg once daily with \
            breakfast; maximum 20 mg/day.",
        renal_adjustment: "No labeled adjustment; its metabolites are inactive, so it is the preferred \
            sulfonylurea in CKD. Start at 2.5 mg and titrate slowly because hypoglycemia risk rises \
            as eGFR falls.",
        contraindications: &[
            "Type 1 diabetes mellitus and diabetic ketoacidosis",
            "Hypersensitivity to glipizide",
        ],
        common_adverse_effects: &[
            "Hypoglycemia (greater in older adults, renal or hepatic impairment, missed meals)",
            "Weight gain",
            "Nausea, diarrhea, dizziness",
            "Rash; hemolytic anemia in G6PD deficiency (rare)",
        ],
        monitoring: &[
            "HbA1c and self-monitored blood glucose",
            "Hypoglycemia symptoms and episodes",
            "Renal and hepatic function",
        ],
    },
    Drug {
        generic_name: "pioglitazone",
        brand_names: &["Actos"],
        other_names: &[],
        drug_class: "Thiazolidinedione (PPAR-gamma agonist)",
        indications: &[
            "Type 2 diabetes mellitus (glycemic control)",
            "Nonalcoholic steatohepatitis with type 2 diabetes or prediabetes (off-label; guideline-supported)",
        ],
        adult_dosing: "15 or 30 mg once daily; increase in 15 mg steps to a maximum of 45 mg once daily. \
            Maximum 15 mg daily with strong CYP2C8 inhibitors such as gemfibrozil.",
        renal_adjustment: "No dose adjustment, but fluid retention is more likely in CKD.",
        contraindications: &[
            "NYHA class III or IV heart failure (do not start; boxed warning on heart failure)",
            "Hypersensitivity to pioglitazone",
            "Active bladder cancer (avoid)",
        ],
        common_adverse_effects: &[
            "Edema and weight gain",
            "Heart failure onset or worsening",
            "Bone fractures (distal limbs, mainly in women)",
            "Upper respiratory tract infection, headache, myalgia",
            "Macular edema and possible bladder cancer risk (rare)",
        ],
        monitoring: &[
            "Signs of heart failure: weight gain, edema, dyspnea",
            "Liver enzymes before starting and if symptoms of liver injury",
            "HbA1c",
            "Visual symptoms (macular edema); hematuria (bladder cancer)",
        ],
    },
    Drug {
        generic_name: "insulin glargine",
        brand_names: &["Lantus", "Basaglar", "Toujeo", "Semglee", "Rezvoglar"],
        other_names: &["glargine"],
        drug_class: "Long-acting (basal) insulin analog",
        indications: &[
            "Type 1 diabetes mellitus (basal insulin, with mealtime insulin)",
            "Type 2 diabetes mellitus (glycemic control)",
        ],
        adult_dosing: "Subcutaneously once daily at the same time each day. Type 2 diabetes, insulin-naive: \
            10 units/day or 0.1-0.2 units/kg/day; titrate by 2 units every 3 days (or 10-15% once or \
            twice weekly) to the fasting glucose target (often 80-130 mg/dL); reduce by 10-20% for \
            hypoglycemia. Type 1: about one third to one half of the total daily insulin dose \
            (typically 0.4-0.5 units/kg/day). No fixed maximum; above about 0.5 units/kg/day \
            reassess for overbasalization and add prandial or GLP-1 therapy. Toujeo (300 units/mL) \
            often needs 10-18% more units. Do not dilute or mix with other insulins.",
        renal_adjustment: "No fixed adjustment; insulin requirements fall as kidney function declines. \
            Start lower and titrate more cautiously at eGFR < 45, with closer glucose monitoring.",
        contraindications: &[
            "During episodes of hypoglycemia",
            "Hypersensitivity to insulin glargine",
        ],
        common_adverse_effects: &[
            "Hypoglycemia",
            "Weight gain",
            "Injection-site reactions, lipodystrophy and localized cutaneous amyloidosis (rotate sites)",
            "Hypokalemia",
            "Peripheral edema",
        ],
        monitoring: &[
            "Self-monitored fasting glucose or continuous glucose monitoring during titration",
            "HbA1c every 3-6 months",
            "Hypoglycemia frequency and awareness",
            "Injection sites",
        ],
    },
    // Hypertension and heart failure.
    Drug {
        generic_name: "lisinopril",
        brand_names: &["Prinivil", "Zestril", "Qbrelis"],
        other_names: &[],
        drug_class: "Angiotensin-converting enzyme (ACE) inhibitor",
        indications: &[
            "Hypertension",
            "Heart failure with reduced ejection fraction",
            "Acute myocardial infarction (hemodynamically stable, within 24 hours)",
            "Diabetic or proteinuric chronic kidney disease (off-label; guideline-recommended)",
        ],
        adult_dosing: "Hypertension: 10 mg once daily (5 mg if taking a diuretic or volume-depleted); \
            usual 20-40 mg once daily; label maximum 80 mg/day. Heart failure: 2.5-5 mg once daily, \
            titrated every 1-2 weeks to a target of 20-40 mg daily. Acute MI: 5 mg, 5 mg after 24 \
            hours, 10 mg after 48 hours, then 10 mg once daily.",
        renal_adjustment: "Hypertension: CrCl 10-30: start 5 mg daily; CrCl < 10 or dialysis: start \
            2.5 mg daily; titrate to a maximum of 40 mg daily. Heart failure with CrCl < 30 or serum \
            sodium < 130: start 2.5 mg daily. A creatinine rise of up to 30% after starting is \
            expected.",
        contraindications: &[
            "History of angioedema, hereditary or idiopathic, or with any ACE inhibitor",
            "Use with aliskiren in patients with diabetes",
            "Within 36 hours of switching to or from sacubitril/valsartan",
            "Pregnancy (fetal toxicity; boxed warning)",
        ],
        common_adverse_effects: &[
            "Dry cough",
            "Dizziness, hypotension, headache, fatigue",
            "Hyperkalemia",
            "Rise in serum creatinine",
            "Angioedema (rare; more common in Black patients)",
        ],
        monitoring: &[
            "Blood pressure",
            "Potassium and creatinine/eGFR at baseline, 1-2 weeks after starting or a dose change, then periodically",
            "Signs of angioedema",
            "Pregnancy status in people who could become pregnant",
        ],
    },
    Drug {
        generic_name: "enalapril",
        brand_names: &["Vasotec", "Epaned"],
        other_names: &[],
        drug_class: "Angiotensin-converting enzyme (ACE) inhibitor",
        indications: &[
            "Hypertension",
            "Heart failure with reduced ejection fraction",
            "Asymptomatic left ventricular dysfunction",
        ],
        adult_dosing: "Hypertension: 5 mg once daily (2.5 mg if taking a diuretic); usual 10-40 mg/day \
            in 1 or 2 doses; maximum 40 mg/day. Heart failure: 2.5 mg twice daily, titrated over \
            weeks to a target of 10-20 mg twice daily; maximum 40 mg/day.",
        renal_adjustment: "CrCl <= 30 (serum creatinine > 3 mg/dL): start 2.5 mg daily and titrate. \
            Dialysis: 2.5 mg on dialysis days, adjusted to blood pressure on other days.",
        contraindications: &[
            "History of angioedema, hereditary or idiopathic, or with any ACE inhibitor",
            "Use with aliskiren in patients with diabetes",
            "Within 36 hours of switching to or from sacubitril/valsartan",
            "Pregnancy (fetal toxicity; boxed warning)",
        ],
        common_adverse_effects: &[
            "Dry cough",
            "Dizziness, hypotension, headache, fatigue",
            "Hyperkalemia",
            "Rise in serum creatinine",
            "Angioedema (rare)",
        ],
        monitoring: &[
            "Blood pressure",
            "Potassium and creatinine/eGFR at baseline, 1-2 weeks after starting or a dose change, then periodically",
            "Signs of angioedema",
        ],
    },
    Drug {
        generic_name: "losartan",
        brand_names: &["Cozaar"],
        other_names: &[],
        drug_class: "Angiotensin II receptor blocker (ARB)",
        indications: &[
            "Hypertension",
            "Stroke risk reduction in hypertension with left ventricular hypertrophy",
            "Diabetic nephropathy with proteinuria in type 2 diabetes and hypertension",
            "Heart failure with reduced ejection fraction when an ACE inhibitor is not tolerated (off-label)",
        ],
        adult_dosing: "Hypertension: 50 mg once daily (25 mg if volume-depleted or with hepatic \
            impairment); may increase to 100 mg daily in 1 or 2 doses; maximum 100 mg/day. Diabetic \
            nephropathy: 50 mg daily, increase to 100 mg. Heart failure (off-label): 25-50 mg daily, \
            titrated to 150 mg daily.",
        renal_adjustment: "No initial dose adjustment, including dialysis. Check potassium and creatinine \
            after starting; a creatinine rise of up to 30% is expected.",
        contraindications: &[
            "Hypersensitivity to losartan",
            "Use with aliskiren in patients with diabetes",
            "Pregnancy (fetal toxicity; boxed warning)",
        ],
        common_adverse_effects: &[
            "Dizziness, hypotension",
            "Hyperkalemia",
            "Rise in serum creatinine",
            "Upper respiratory infection, back pain, fatigue",
            "Angioedema (rare)",
        ],
        monitoring: &[
            "Blood pressure",
            "Potassium and creatinine/eGFR at baseline, 1-2 weeks after starting or a dose change, then periodically",
            "Pregnancy status in people who could become pregnant",
        ],
    },
    Drug {
        generic_name: "valsartan",
        brand_names: &["Diovan"],
        other_names: &[],
        drug_class: "Angiotensin II receptor blocker (ARB)",
        indications: &[
            "Hypertension",
            "Heart failure with reduced ejection fraction",
            "Left ventricular dysfunction after myocardial infarction",
        ],
        adult_dosing: "Hypertension: 80 or 160 mg once daily; maximum 320 mg/day. Heart failure: 40 mg \
            twice daily, titrated to 80-160 mg twice daily; maximum 320 mg/day. After MI: 20 mg twice \
            daily, titrated to 160 mg twice daily.",
        renal_adjustment: "No adjustment for CrCl > 30. Use with caution at CrCl < 30 (not studied); \
            check potassium and creatinine after starting.",
        contraindications: &[
            "Hypersensitivity to valsartan",
            "Use with aliskiren in patients with diabetes",
            "Pregnancy (fetal toxicity; boxed warning)",
        ],
        common_adverse_effects: &[
            "Dizziness, hypotension",
            "Hyperkalemia",
            "Rise in serum creatinine",
            "Headache, fatigue, diarrhea",
        ],
        monitoring: &[
            "Blood pressure",
            "Potassium and creatinine/eGFR at baseline, 1-2 weeks after starting or a dose change, then periodically",
        ],
    },
    Drug {
        generic_name: "amlodipine",
        brand_names: &["Norvasc", "Katerzia", "Norliqva"],
        other_names: &[],
        drug_class: "Dihydropyridine calcium channel blocker",
        indications: &[
            "Hypertension",
            "Chronic stable angina and vasospastic angina",
            "Angiographically documented coronary artery disease",
        ],
        adult_dosing: "5 mg once daily (2.5 mg in older, small or frail adults or with hepatic \
            impairment); increase after 7-14 days as needed; maximum 10 mg once daily.",
        renal_adjustment: "No dose adjustment; not removed by dialysis.",
        contraindications: &["Hypersensitivity to amlodipine"],
        common_adverse_effects: &[
            "Peripheral edema (dose-related)",
            "Flushing, headache, dizziness",
            "Palpitations, fatigue",
            "Gingival hyperplasia (rare)",
        ],
        monitoring: &[
            "Blood pressure and heart rate",
            "Ankle edema",
            "Hepatic function when hepatic impairment is known",
        ],
    },
    Drug {
        generic_name: "hydrochlorothiazide",
        brand_names: &["Microzide"],
        other_names: &["HCTZ"],
        drug_class: "Thiazide diuretic",
        indications: &[
            "Hypertension",
            "Edema from heart failure, cirrhosis or corticosteroid therapy",
        ],
        adult_dosing: "Hypertension: 12.5-25 mg once daily in the morning; maximum 50 mg/day (little \
            added effect above 25 mg). Edema: 25-100 mg daily in 1 or 2 doses.",
        renal_adjustment: "Loses effect at eGFR/CrCl < 30 as monotherapy; prefer a loop diuretic or \
            chlorthalidone. Avoid in anuria.",
        contraindications: &[
            "Anuria",
            "Hypersensitivity to hydrochlorothiazide or other sulfonamide-derived drugs",
        ],
        common_adverse_effects: &[
            "Hypokalemia, hyponatremia, hypomagnesemia",
            "Hyperuricemia and gout",
            "Hyperglycemia, hypercalcemia",
            "Dizziness, orthostatic hypotension",
            "Photosensitivity; higher nonmelanoma skin cancer risk with long-term use",
        ],
        monitoring: &[
            "Blood pressure",
            "Sodium, potassium, magnesium and creatinine at baseline, 2-4 weeks after starting, then periodically",
            "Uric acid and glucose",
            "Skin checks for long-term users",
        ],
    },
    Drug {
        generic_name: "chlorthalidone",
        brand_names: &["Thalitone"],
        other_names: &[],
        drug_class: "Thiazide-like diuretic",
        indications: &[
            "Hypertension (guideline-preferred thiazide-type diuretic)",
            "Edema from heart failure, cirrhosis or renal disease",
        ],
        adult_dosing: "Hypertension: 12.5-25 mg once daily in the morning; doses above 25 mg add \
            adverse effects more than blood pressure lowering (label maximum 100 mg/day). Edema: \
            50-100 mg daily or on alternate days; maximum 200 mg/day.",
        renal_adjustment: "Unlike hydrochlorothiazide, it lowers blood pressure in stage 4 CKD (eGFR \
            15-29, CLICK trial) at 12.5-50 mg daily, with close monitoring of potassium, sodium, \
            volume and creatinine. Avoid in anuria.",
        contraindications: &[
            "Anuria",
            "Hypersensitivity to chlorthalidone or other sulfonamide-derived drugs",
        ],
        common_adverse_effects: &[
            "Hypokalemia (more than hydrochlorothiazide), hyponatremia, hypomagnesemia",
            "Hyperuricemia and gout",
            "Hyperglycemia",
            "Dizziness, orthostatic hypotension",
            "Photosensitivity",
        ],
        monitoring: &[
            "Blood pressure",
            "Sodium, potassium, magnesium and creatinine at baseline, 2-4 weeks after starting, then periodically",
            "Uric acid and glucose",
        ],
    },
    Drug {
        generic_name: "metoprolol",
        brand_names: &["Lopressor", "Toprol-XL", "Kapspargo Sprinkle"],
        other_names: &["metoprolol tartrate", "metoprolol succinate"],
        drug_class: "Beta-1 selective beta-adrenergic blocker",
        indications: &[
            "Hypertension",
            "Chronic stable angina",
            "Heart failure with reduced ejection fraction (succinate only)",
            "Acute myocardial infarction and secondary prevention",
            "Rate control in atrial fibrillation or flutter (off-label)",
        ],
        adult_dosing: "Tartrate (twice daily) and succinate (extended release, once daily) are not \
            interchangeable schedules. Hypertension: tartrate 25-50 mg twice daily, usual 100-200 \
            mg/day, label maximum 450 mg/day; succinate 25-100 mg once daily, maximum 400 mg/day. \
            Heart failure: succinate 12.5-25 mg once daily, doubled every 2 weeks as tolerated to a \
            target of 200 mg daily. Angina: succinate 100 mg daily, maximum 400 mg. After MI: \
            tartrate 25-50 mg every 6 hours for 48 hours, then 100 mg twice daily.",
        renal_adjustment: "No dose adjustment.",
        contraindications: &[
            "Severe sinus bradycardia, sick sinus syndrome or second- or third-degree AV block without a pacemaker",
            "Cardiogenic shock or decompensated heart failure",
            "Severe peripheral arterial circulatory disorders",
            "Hypersensitivity to metoprolol",
        ],
        common_adverse_effects: &[
            "Fatigue, dizziness",
            "Bradycardia, hypotension",
            "Depression, sleep disturbance",
            "Cold extremities",
            "Bronchospasm at higher doses (less than nonselective agents)",
            "Masked tachycardia of hypoglycemia",
        ],
        monitoring: &[
            "Heart rate and blood pressure",
            "Heart failure symptoms and weight during titration",
            "Glucose in diabetes (masked hypoglycemia)",
            "Do not stop abruptly: taper over 1-2 weeks (boxed warning: worsening angina or MI)",
        ],
    },
    Drug {
        generic_name: "carvedilol",
        brand_names: &["Coreg", "Coreg CR"],
        other_names: &[],
        drug_class: "Nonselective beta-adrenergic blocker with alpha-1 blocking activity",
        indications: &[
            "Heart failure with reduced ejection fraction",
            "Left ventricular dysfunction after myocardial infarction",
            "Hypertension",
        ],
        adult_dosing: "Take with food. Heart failure: 3.125 mg twice daily for 2 weeks, then double \
            every 2 weeks as tolerated to 25 mg twice daily (50 mg twice daily if over 85 kg with \
            mild to moderate heart failure). Hypertension: 6.25 mg twice daily, increased every 7-14 \
            days to 12.5 then 25 mg twice daily; maximum 50 mg/day. Extended release (Coreg CR): 10 \
            mg once daily, titrated to a maximum of 80 mg once daily.",
        renal_adjustment: "No dose adjustment.",
        contraindications: &[
            "Bronchial asthma or related bronchospastic conditions",
            "Second- or third-degree AV block, sick sinus syndrome or severe bradycardia without a pacemaker",
            "Cardiogenic shock or decompensated heart failure needing intravenous inotropes",
            "Severe hepatic impairment",
            "Hypersensitivity to carvedilol",
        ],
        common_adverse_effects: &[
            "Dizziness, orthostatic hypotension, fatigue",
            "Bradycardia",
            "Weight gain and edema during titration",
            "Hyperglycemia",
            "Diarrhea",
        ],
        monitoring: &[
            "Heart rate and blood pressure, including orthostatic",
            "Heart failure symptoms and daily weight during titration",
            "Glucose in diabetes",
            "Do not stop abruptly: taper over 1-2 weeks",
        ],
    },
    Drug {
        generic_name: "furosemide",
        brand_names: &["Lasix", "Furoscix"],
        other_names: &["frusemide"],
        drug_class: "Loop diuretic",
        indications: &[
            "Edema from heart failure, cirrhosis or renal disease, including nephrotic syndrome",
            "Hypertension (not first-line; useful with reduced kidney function)",
        ],
        adult_dosing: "Edema: 20-80 mg orally as a single dose; repeat or raise by 20-40 mg no sooner \
            than 6-8 hours later until the desired diuresis, then give that dose once or twice daily; \
            maximum 600 mg/day in severe edema. Hypertension: 40 mg twice daily, adjusted to \
            response. Intravenous: 20-40 mg, infused no faster than 4 mg/min at high doses.",
        renal_adjustment: "No dose reduction; reduced kidney function raises the dose needed to reach \
            the diuretic threshold. High doses and rapid IV injection in renal impairment increase \
            ototoxicity.",
        contraindications: &["Anuria", "Hypersensitivity to furosemide"],
        common_adverse_effects: &[
            "Dehydration, hypotension and prerenal azotemia",
            "Hypokalemia, hyponatremia, hypomagnesemia, metabolic alkalosis",
            "Hyperuricemia and gout, hyperglycemia",
            "Ototoxicity (tinnitus, hearing loss) with high doses or rapid IV injection",
            "Photosensitivity",
        ],
        monitoring: &[
            "Electrolytes (potassium, sodium, magnesium) and creatinine/BUN, within 1-2 weeks of starting or a dose change",
            "Daily weight, fluid intake and output, blood pressure",
            "Uric acid and glucose",
            "Hearing with high-dose intravenous therapy",
        ],
    },
    Drug {
        generic_name: "spironolactone",
        brand_names: &["Aldactone", "CaroSpir"],
        other_names: &[],
        drug_class: "Mineralocorticoid receptor antagonist (potassium-sparing diuretic)",
        indications: &[
            "Heart failure with reduced ejection fraction (NYHA II-IV)",
            "Hypertension, especially resistant hypertension",
            "Edema from cirrhosis or nephrotic syndrome",
            "Primary hyperaldosteronism",
            "Acne and hirsutism in women (off-label)",
        ],
        adult_dosing: "Heart failure: 25 mg once daily if potassium <= 5.0 mEq/L and eGFR > 50 (12.5 mg \
            is common practice); may increase to 50 mg daily. Hypertension: 25-50 mg/day, up to 100 \
            mg/day. Cirrhotic edema: 100 mg/day (range 25-400 mg), often with furosemide in a 100:40 \
            ratio. Primary hyperaldosteronism: 100-400 mg/day.",
        renal_adjustment: "Heart failure with eGFR 30-50: start 25 mg every other day (or 12.5 mg \
            daily). Avoid when eGFR < 30 or potassium > 5.0 mEq/L; hyperkalemia risk rises as kidney \
            function falls.",
        contraindications: &[
            "Hyperkalemia",
            "Addison disease",
            "Concomitant eplerenone",
        ],
        common_adverse_effects: &[
            "Hyperkalemia",
            "Gynecomastia and breast tenderness",
            "Menstrual irregularities, decreased libido, erectile dysfunction",
            "Worsening renal function, hyponatremia",
            "Dizziness, gastrointestinal upset",
        ],
        monitoring: &[
            "Potassium and creatinine before starting, within 3-7 days, monthly for 3 months, then every 3 months",
            "Blood pressure and volume status",
            "Gynecomastia",
        ],
    },
    Drug {
        generic_name: "diltiazem",
        brand_names: &["Cardizem", "Cardizem CD", "Cardizem LA", "Tiazac", "Cartia XT"],
        other_names: &[],
        drug_class: "Non-dihydropyridine calcium channel blocker",
        indications: &[
            "Hypertension",
            "Chronic stable and vasospastic angina",
            "Rate control in atrial fibrillation or flutter",
        ],
        adult_dosing: "Hypertension, extended release: 120-240 mg once daily, adjusted every 14 days; \
            usual 240-360 mg/day; maximum 480 mg/day (540 mg for Cardizem LA). Angina, immediate \
            release: 30 mg four times daily, increased every 1-2 days to 180-360 mg/day. Atrial \
            fibrillation: 0.25 mg/kg IV over 2 minutes acutely; oral extended release 120-360 mg/day.",
        renal_adjustment: "No dose adjustment; titrate cautiously.",
        contraindications: &[
            "Sick sinus syndrome or second- or third-degree AV block without a functioning pacemaker",
            "Hypotension (systolic < 90 mmHg)",
            "Acute myocardial infarction with pulmonary congestion",
            "Heart failure with reduced ejection fraction (avoid: negative inotropy)",
            "Atrial fibrillation or flutter with an accessory pathway (Wolff-Parkinson-White), for the IV form",
            "Hypersensitivity to diltiazem",
        ],
        common_adverse_effects: &[
            "Peripheral edema",
            "Headache, dizziness",
            "Bradycardia and AV block",
            "Hypotension",
            "Constipation, nausea",
            "Rash; elevated liver enzymes",
        ],
        monitoring: &[
            "Heart rate, blood pressure and ECG (PR interval), especially with beta-blockers",
            "Heart failure symptoms",
            "Liver enzymes periodically",
            "Interacting CYP3A4 substrates (it is a moderate CYP3A4 inhibitor)",
        ],
    },
    Drug {
        generic_name: "propranolol",
        brand_names: &["Inderal LA", "InnoPran XL", "Hemangeol"],
        other_names: &[],
        drug_class: "Nonselective beta-adrenergic blocker",
        indications: &[
            "Hypertension",
            "Angina pectoris",
            "Migraine prophylaxis",
            "Essential tremor",
            "Rate control in atrial fibrillation; secondary prevention after myocardial infarction",
            "Symptom control in thyrotoxicosis and prevention of variceal bleeding (off-label)",
        ],
        adult_dosing: "Hypertension: 40 mg twice daily (or 80 mg extended release once daily); usual \
            120-240 mg/day; label maximum 640 mg/day. Migraine prophylaxis: 80 mg/day in divided \
            doses or extended release; usual 160-240 mg/day. Essential tremor: 40 mg twice daily; \
            usual 120 mg/day, maximum 320 mg/day. Angina: 80-320 mg/day in divided doses.",
        renal_adjustment: "No dose adjustment; titrate cautiously.",
        contraindications: &[
            "Bronchial asthma",
            "Sinus bradycardia, sick sinus syndrome or greater than first-degree heart block without a pacemaker",
            "Cardiogenic shock or decompensated heart failure",
            "Hypersensitivity to propranolol",
        ],
        common_adverse_effects: &[
            "Fatigue, dizziness",
            "Bradycardia, hypotension",
            "Bronchospasm in asthma or COPD",
            "Sleep disturbance, vivid dreams, depression",
            "Cold extremities, erectile dysfunction",
            "Masked symptoms and prolonged recovery of hypoglycemia",
        ],
        monitoring: &[
            "Heart rate and blood pressure",
            "Respiratory symptoms in lung disease",
            "Glucose in diabetes (masked hypoglycemia)",
            "Do not stop abruptly: taper over 1-2 weeks",
        ],
    },
    Drug {
        generic_name: "nitroglycerin",
        brand_names: &["Nitrostat", "Nitrolingual", "NitroMist", "Nitro-Dur", "Minitran", "Nitro-Bid"],
        other_names: &["glyceryl trinitrate", "GTN"],
        drug_class: "Organic nitrate vasodilator",
        indications: &[
            "Acute relief of angina pectoris (sublingual)",
            "Prevention of exertional angina (sublingual before exertion; transdermal or ointment)",
        ],
        adult_dosing: "Acute angina: 0.4 mg sublingual tablet or 1-2 sprays at onset, repeated every 5 \
            minutes up to 3 doses in 15 minutes; call emergency services if pain is not better 5 \
            minutes after the first dose. Prophylaxis: 0.4 mg 5-10 minutes before exertion. \
            Transdermal: 0.2-0.4 mg/hour patch on for 12-14 hours, off for 10-12 hours (a \
            nitrate-free interval prevents tolerance); up to 0.8 mg/hour.",
        renal_adjustment: "No dose adjustment.",
        contraindications: &[
            "Use of a phosphodiesterase-5 inhibitor (sildenafil, tadalafil, vardenafil) or riociguat",
            "Severe anemia",
            "Increased intracranial pressure",
            "Hypotension or circulatory shock",
            "Hypersensitivity to nitroglycerin",
        ],
        common_adverse_effects: &[
            "Headache",
            "Dizziness, lightheadedness, orthostatic hypotension and syncope",
            "Flushing",
            "Reflex tachycardia",
            "Tolerance with continuous exposure",
        ],
        monitoring: &[
            "Blood pressure and heart rate",
            "Angina frequency and use of sublingual doses",
            "Recent phosphodiesterase-5 inhibitor use before every dose",
        ],
    },
    Drug {
        generic_name: "sildenafil",
        brand_names: &["Viagra", "Revatio", "Liqrev"],
        other_names: &[],
        drug_class: "Phosphodiesterase-5 (PDE-5) inhibitor",
        indications: &[
            "Erectile dysfunction (Viagra)",
            "Pulmonary arterial hypertension, WHO group I (Revatio)",
        ],
        adult_dosing: "Erectile dysfunction: 50 mg about 1 hour (0.5-4 hours) before sexual activity, at \
            most once daily; range 25-100 mg; start 25 mg over 65 years or with CYP3A4 inhibitors \
            (25 mg at most every 48 hours with ritonavir). Pulmonary arterial hypertension: 5 or 20 \
            mg three times daily, 4-6 hours apart.",
        renal_adjustment: "Erectile dysfunction with CrCl < 30: consider a 25 mg starting dose. \
            Pulmonary hypertension: no adjustment.",
        contraindications: &[
            "Any use of organic nitrates (nitroglycerin, isosorbide), regular or intermittent",
            "Use of riociguat",
            "Hypersensitivity to sildenafil",
        ],
        common_adverse_effects: &[
            "Headache, flushing",
            "Dyspepsia, nasal congestion",
            "Abnormal vision (blue tinge, blurring, light sensitivity)",
            "Back pain, myalgia, dizziness",
            "Hypotension; priapism, sudden vision loss (NAION) or hearing loss (rare)",
        ],
        monitoring: &[
            "Blood pressure, especially with alpha-blockers or other antihypertensives",
            "Cardiovascular fitness for sexual activity",
            "Sudden vision or hearing loss, or an erection lasting over 4 hours (seek care)",
        ],
    },
    // Lipids.
    Drug {
        generic_name: "atorvastatin",
        brand_names: &["Lipitor", "Atorvaliq"],
        other_names: &[],
        drug_class: "HMG-CoA reductase inhibitor (statin)",
        indications: &[
            "Primary and secondary prevention of atherosclerotic cardiovascular disease",
            "Primary hyperlipidemia and mixed dyslipidemia",
            "Familial hypercholesterolemia",
        ],
        adult_dosing: "10-20 mg once daily (moderate intensity) or 40-80 mg once daily (high intensity), \
            any time of day; adjust after 4-12 weeks by LDL response; range 10-80 mg; maximum 80 \
            mg/day. Maximum 20 mg/day with clarithromycin, itraconazole or some HIV/HCV protease \
            inhibitors; avoid with cyclosporine.",
        renal_adjustment: "No dose adjustment; not removed by dialysis.",
        contraindications: &[
            "Acute liver failure or decompensated cirrhosis",
            "Hypersensitivity to atorvastatin",
        ],
        common_adverse_effects: &[
            "Myalgia, arthralgia, pain in extremities",
            "Diarrhea, nasopharyngitis",
            "Elevated liver enzymes",
            "Small increase in HbA1c and new-onset diabetes",
            "Myopathy, rhabdomyolysis and immune-mediated necrotizing myopathy (rare)",
        ],
        monitoring: &[
            "Lipid panel 4-12 weeks after starting or a dose change, then every 3-12 months",
            "ALT at baseline and when liver injury is suspected",
            "CK when muscle symptoms occur",
            "HbA1c or glucose in people at risk of diabetes",
        ],
    },
    Drug {
        generic_name: "rosuvastatin",
        brand_names: &["Crestor", "Ezallor Sprinkle"],
        other_names: &[],
        drug_class: "HMG-CoA reductase inhibitor (statin)",
        indications: &[
            "Primary and secondary prevention of atherosclerotic cardiovascular disease",
            "Primary hyperlipidemia, mixed dyslipidemia and hypertriglyceridemia",
            "Familial hypercholesterolemia",
        ],
        adult_dosing: "5-10 mg once daily (moderate intensity) or 20-40 mg once daily (high intensity), \
            any time of day; adjust after 2-4 weeks by LDL response; maximum 40 mg/day, reserved for \
            those not at goal on 20 mg. Asian patients: start 5 mg (about twice the exposure). \
            Maximum 5 mg with cyclosporine; 10 mg with gemfibrozil or some antivirals.",
        renal_adjustment: "CrCl < 30 not on dialysis: start 5 mg daily, maximum 10 mg daily. No \
            adjustment for mild to moderate impairment.",
        contraindications: &[
            "Acute liver failure or decompensated cirrhosis",
            "Hypersensitivity to rosuvastatin",
        ],
        common_adverse_effects: &[
            "Myalgia, headache",
            "Nausea, abdominal pain, asthenia",
            "Proteinuria and hematuria at high doses",
            "Small increase in HbA1c and new-onset diabetes",
            "Myopathy and rhabdomyolysis (rare)",
        ],
        monitoring: &[
            "Lipid panel 4-12 weeks after starting or a dose change, then every 3-12 months",
            "ALT at baseline and when liver injury is suspected",
            "CK when muscle symptoms occur",
            "Renal function; urinalysis if proteinuria is suspected at 40 mg",
        ],
    },
    Drug {
        generic_name: "simvastatin",
        brand_names: &["Zocor", "Flolipid"],
        other_names: &[],
        drug_class: "HMG-CoA reductase inhibitor (statin)",
        indications: &[
            "Primary and secondary prevention of atherosclerotic cardiovascular disease",
            "Primary hyperlipidemia and mixed dyslipidemia",
        ],
        adult_dosing: "20-40 mg once daily in the evening (moderate intensity); range 5-40 mg; maximum 40 \
            mg/day for new patients (80 mg only for those already on it for 12 months or more \
            without muscle toxicity). Maximum 10 mg/day with verapamil, diltiazem or dronedarone; 20 \
            mg/day with amlodipine, amiodarone or ranolazine.",
        renal_adjustment: "Severe impairment (CrCl < 30): start 5 mg daily and monitor closely. No \
            adjustment for mild to moderate impairment.",
        contraindications: &[
            "Strong CYP3A4 inhibitors (clarithromycin, itraconazole, ketoconazole, HIV protease inhibitors and others)",
            "Gemfibrozil, cyclosporine or danazol",
            "Acute liver failure or decompensated cirrhosis",
            "Hypersensitivity to simvastatin",
        ],
        common_adverse_effects: &[
            "Myalgia",
            "Constipation, abdominal pain, upper respiratory infection",
            "Elevated liver enzymes",
            "Small increase in HbA1c and new-onset diabetes",
            "Myopathy and rhabdomyolysis (dose-related; highest at 80 mg)",
        ],
        monitoring: &[
            "Lipid panel 4-12 weeks after starting or a dose change, then every 3-12 months",
            "ALT at baseline and when liver injury is suspected",
            "CK when muscle symptoms occur",
            "Every new medicine for CYP3A4 interactions",
        ],
    },
    Drug {
        generic_name: "ezetimibe",
        brand_names: &["Zetia"],
        other_names: &[],
        drug_class: "Cholesterol absorption inhibitor (NPC1L1)",
        indications: &[
            "Primary hyperlipidemia, alone or added to a statin to lower LDL cholesterol",
            "Homozygous familial hypercholesterolemia (with a statin)",
            "Homozygous sitosterolemia",
        ],
        adult_dosing: "10 mg once daily, with or without food; no titration; maximum 10 mg/day. Take at \
            least 2 hours before or 4 hours after a bile acid sequestrant.",
        renal_adjustment: "No dose adjustment.",
        contraindications: &[
            "Hypersensitivity to ezetimibe",
            "With a statin: the statin's contraindications, including active liver disease",
        ],
        common_adverse_effects: &[
            "Diarrhea",
            "Upper respiratory infection, sinusitis",
            "Arthralgia, pain in extremities",
            "Fatigue",
            "Elevated liver enzymes when combined with a statin",
        ],
        monitoring: &[
            "Lipid panel 4-12 weeks after starting",
            "Liver enzymes as for the statin when combined",
        ],
    },
    // Antithrombotics.
    Drug {
        generic_name: "aspirin",
        brand_names: &["Bayer", "Ecotrin", "Durlaza"],
        other_names: &["acetylsalicylic acid", "ASA"],
        drug_class: "Antiplatelet agent and nonsteroidal anti-inflammatory drug (salicylate; irreversible COX inhibitor)",
        indications: &[
            "Secondary prevention after myocardial infarction, ischemic stroke or TIA, and in peripheral artery disease",
            "Acute coronary syndrome and after coronary revascularization (with a P2Y12 inhibitor)",
            "Primary prevention only in selected adults 40-59 years with high cardiovascular risk and low bleeding risk",
            "Pain, fever and inflammation",
            "Preeclampsia prevention in high-risk pregnancy (low dose)",
        ],
        adult_dosing: "Antiplatelet: 75-100 mg (81 mg in the US) once daily. Acute coronary syndrome: \
            162-325 mg non-enteric-coated, chewed, then 81 mg daily. Pain or fever: 325-650 mg every \
            4-6 hours as needed; maximum 4 g/day.",
        renal_adjustment: "Low-dose antiplatelet therapy needs no adjustment. Avoid analgesic doses in \
            severe impairment (GFR < 10) and use with caution in CKD (sodium and fluid retention, \
            reduced renal blood flow).",
        contraindications: &[
            "Hypersensitivity to aspirin or NSAIDs, including aspirin-exacerbated respiratory disease (asthma, rhinitis, nasal polyps)",
            "Children and teenagers with viral illness (Reye syndrome)",
            "Active bleeding or bleeding disorders such as hemophilia",
            "Analgesic doses in the third trimester of pregnancy",
        ],
        common_adverse_effects: &[
            "Dyspepsia, nausea",
            "Gastrointestinal ulceration and bleeding",
            "Bruising and other bleeding",
            "Tinnitus at high doses",
            "Bronchospasm in aspirin-exacerbated respiratory disease",
        ],
        monitoring: &[
            "Signs of bleeding, especially gastrointestinal",
            "Hemoglobin if bleeding is suspected",
            "Renal function with regular high doses",
            "Salicylate level with high-dose therapy or tinnitus",
        ],
    },
    Drug {
        generic_name: "clopidogrel",
        brand_names: &["Plavix"],
        other_names: &[],
        drug_class: "P2Y12 inhibitor antiplatelet agent (thienopyridine)",
        indications: &[
            "Acute coronary syndrome, with aspirin",
            "After percutaneous coronary intervention with stenting, with aspirin",
            "Recent myocardial infarction, recent ischemic stroke or established peripheral artery disease",
        ],
        adult_dosing: "Acute coronary syndrome or PCI: 300-600 mg loading dose, then 75 mg once daily \
            (with aspirin 81 mg). Recent MI, stroke or peripheral artery disease: 75 mg once daily. \
            Maintenance maximum 75 mg/day.",
        renal_adjustment: "No dose adjustment.",
        contraindications: &[
            "Active pathological bleeding such as peptic ulcer or intracranial hemorrhage",
            "Hypersensitivity to clopidogrel",
        ],
        common_adverse_effects: &[
            "Bleeding and bruising",
            "Diarrhea",
            "Rash, pruritus",
            "Thrombotic thrombocytopenic purpura (rare)",
        ],
        monitoring: &[
            "Signs of bleeding; CBC if bleeding is suspected",
            "Reduced effect in CYP2C19 poor metabolizers (boxed warning): consider genotyping or another P2Y12 inhibitor",
            "Stop 5 days before elective surgery when the indication allows",
        ],
    },
    Drug {
        generic_name: "warfarin",
        brand_names: &["Coumadin", "Jantoven"],
        other_names: &[],
        drug_class: "Vitamin K antagonist anticoagulant",
        indications: &[
            "Prevention of stroke and systemic embolism in atrial fibrillation",
            "Treatment and prevention of deep vein thrombosis and pulmonary embolism",
            "Mechanical heart valves (the anticoagulant of choice)",
            "Secondary prevention after myocardial infarction in selected patients",
        ],
        adult_dosing: "Usually 2-5 mg once daily to start (5 mg or less in older or debilitated patients, \
            heart failure, liver disease, known CYP2C9/VKORC1 variants or interacting drugs; up to \
            10 mg for the first 2 days in selected healthy outpatients), then adjusted to the INR. \
            Target INR 2.0-3.0 for most indications; 2.5-3.5 for a mechanical mitral valve. No fixed \
            maximum: the INR decides. Keep vitamin K intake consistent.",
        renal_adjustment: "No dose adjustment, but CKD lowers dose requirements and raises bleeding \
            risk: monitor the INR more closely.",
        contraindications: &[
            "Active pathological bleeding or high bleeding risk (recent or planned CNS or eye surgery, cerebrovascular hemorrhage, aneurysm, bacterial endocarditis)",
            "Pregnancy, except in women with mechanical heart valves at high thromboembolic risk",
            "Malignant hypertension",
            "Threatened abortion, eclampsia or preeclampsia",
            "Unsupervised patients unable to adhere to INR monitoring",
            "Hypersensitivity to warfarin",
        ],
        common_adverse_effects: &[
            "Bleeding, from minor bruising to major or fatal hemorrhage",
            "Nausea, abdominal pain",
            "Skin necrosis early in therapy (protein C deficiency) and calciphylaxis (rare)",
            "Purple toe syndrome (rare)",
        ],
        monitoring: &[
            "INR daily to every few days during initiation, then every 4 weeks when stable (up to 12 weeks if very stable)",
            "INR within 3-5 days of starting, stopping or changing an interacting drug",
            "Hemoglobin and signs of bleeding",
            "Diet (vitamin K), alcohol and adherence",
        ],
    },
    Drug {
        generic_name: "apixaban",
        brand_names: &["Eliquis"],
        other_names: &[],
        drug_class: "Direct factor Xa inhibitor anticoagulant",
        indications: &[
            "Prevention of stroke and systemic embolism in nonvalvular atrial fibrillation",
            "Treatment of deep vein thrombosis and pulmonary embolism, and reduction of recurrence",
            "Thromboprophylaxis after hip or knee replacement",
        ],
        adult_dosing: "Atrial fibrillation: 5 mg twice daily; 2.5 mg twice daily if at least 2 of: age \
            >= 80 years, weight <= 60 kg, serum creatinine >= 1.5 mg/dL. VTE treatment: 10 mg twice \
            daily for 7 days, then 5 mg twice daily; after at least 6 months, 2.5 mg twice daily to \
            reduce recurrence. Hip or knee replacement: 2.5 mg twice daily for 35 days (hip) or 12 \
            days (knee). Halve the dose with combined strong CYP3A4 and P-gp inhibitors (avoid them \
            if already on 2.5 mg twice daily).",
        renal_adjustment: "Atrial fibrillation: reduce to 2.5 mg twice daily only by the criteria above \
            (creatinine >= 1.5 mg/dL is one); on dialysis, 5 mg twice daily (2.5 mg if age >= 80 or \
            weight <= 60 kg). VTE: no adjustment (limited data at CrCl < 25).",
        contraindications: &[
            "Active pathological bleeding",
            "Severe hypersensitivity to apixaban",
        ],
        common_adverse_effects: &[
            "Bleeding and bruising",
            "Nausea",
            "Anemia",
            "Spinal or epidural hematoma with neuraxial anesthesia (boxed warning)",
        ],
        monitoring: &[
            "Creatinine, age and weight (dose criteria) at baseline and at least yearly",
            "Hemoglobin and liver function at baseline and periodically",
            "Signs of bleeding",
            "Adherence: premature discontinuation raises thrombotic risk (boxed warning)",
        ],
    },
    Drug {
        generic_name: "rivaroxaban",
        brand_names: &["Xarelto"],
        other_names: &[],
        drug_class: "Direct factor Xa inhibitor anticoagulant",
        indications: &[
            "Prevention of stroke and systemic embolism in nonvalvular atrial fibrillation",
            "Treatment of deep vein thrombosis and pulmonary embolism, and reduction of recurrence",
            "Thromboprophylaxis after hip or knee replacement and in acutely ill medical patients",
            "Reduction of major cardiovascular events in coronary or peripheral artery disease (with aspirin)",
        ],
        adult_dosing: "Atrial fibrillation: 20 mg once daily with the evening meal. VTE treatment: 15 mg \
            twice daily with food for 21 days, then 20 mg once daily with food; after at least 6 \
            months, 10 mg once daily to reduce recurrence. Hip or knee replacement: 10 mg once daily \
            for 35 days (hip) or 12 days (knee). Coronary or peripheral artery disease: 2.5 mg twice \
            daily with aspirin 75-100 mg daily. The 15 and 20 mg doses must be taken with food.",
        renal_adjustment: "Atrial fibrillation: CrCl > 50: 20 mg daily; CrCl <= 50 (including dialysis): \
            15 mg daily with the evening meal. VTE treatment and prophylaxis: avoid at CrCl < 15. \
            Coronary or peripheral artery disease: no adjustment.",
        contraindications: &[
            "Active pathological bleeding",
            "Severe hypersensitivity to rivaroxaban",
            "Moderate or severe hepatic impairment (Child-Pugh B or C) or liver disease with coagulopathy (avoid)",
        ],
        common_adverse_effects: &[
            "Bleeding and bruising",
            "Anemia",
            "Back pain, abdominal pain, dizziness",
            "Spinal or epidural hematoma with neuraxial anesthesia (boxed warning)",
        ],
        monitoring: &[
            "Creatinine clearance at baseline and at least yearly (more often when it is near a dose threshold)",
            "Hemoglobin and liver function at baseline and periodically",
            "Signs of bleeding",
            "Adherence: premature discontinuation raises thrombotic risk (boxed warning)",
        ],
    },
    // Thyroid.
    Drug {
        generic_name: "levothyroxine",
        brand_names: &["Synthroid", "Levoxyl", "Unithroid", "Euthyrox", "Tirosint", "Levo-T"],
        other_names: &["L-thyroxine", "thyroxine"],
        drug_class: "Thyroid hormone (synthetic T4)",
        indications: &[
            "Primary and secondary (central) hypothyroidism",
            "TSH suppression in thyroid cancer (adjunct to surgery and radioiodine)",
        ],
        adult_dosing: "Healthy adults under about 50: full replacement of 1.6 mcg/kg/day. Older adults or \
            those with cardiac disease: 12.5-25 mcg/day, increased by 12.5-25 mcg every 4-6 weeks. \
            Take on an empty stomach 30-60 minutes before breakfast (or at bedtime, 3-4 hours after \
            the last meal), 4 hours apart from calcium, iron, antacids and bile acid sequestrants. \
            Doses above 200 mcg/day are seldom needed; needing more suggests poor adherence, \
            malabsorption or interactions.",
        renal_adjustment: "No dose adjustment.",
        contraindications: &[
            "Uncorrected adrenal insufficiency (treat with glucocorticoid first)",
            "Use for obesity or weight loss (boxed warning: toxic at such doses)",
        ],
        common_adverse_effects: &[
            "Adverse effects come from overtreatment: palpitations, tachycardia, atrial fibrillation",
            "Tremor, nervousness, insomnia, heat intolerance",
            "Weight loss, diarrhea",
            "Bone loss with long-term overtreatment",
            "Transient hair loss early in treatment",
        ],
        monitoring: &[
            "TSH 6-8 weeks after starting or changing the dose or brand, then every 6-12 months when stable",
            "Free T4 in central hypothyroidism (TSH is not reliable)",
            "Cardiac symptoms in older adults and heart disease",
            "Absorption changes when starting or stopping interacting drugs (PPIs, calcium, iron)",
        ],
    },
    Drug {
        generic_name: "methimazole",
        brand_names: &["Tapazole"],
        other_names: &["thiamazole"],
        drug_class: "Thionamide antithyroid drug",
        indications: &[
            "Hyperthyroidism from Graves disease or toxic multinodular goiter",
            "Preparation for thyroidectomy or radioactive iodine therapy",
        ],
        adult_dosing: "Label: 15 mg/day (mild), 30-40 mg/day (moderately severe) or 60 mg/day (severe) \
            in 3 divided doses; maintenance 5-15 mg/day. Guideline practice (ATA) gives it once daily, \
            starting 5-10 mg for free T4 1-1.5 times the upper limit of normal, 10-20 mg for \
            1.5-2 times, 30-40 mg for 2-3 times, then tapers by thyroid function.",
        renal_adjustment: "No dose adjustment.",
        contraindications: &[
            "Hypersensitivity to methimazole",
            "First trimester of pregnancy (avoid: embryopathy; propylthiouracil preferred)",
            "Prior agranulocytosis or severe hepatotoxicity with a thionamide",
        ],
        common_adverse_effects: &[
            "Rash, pruritus, urticaria",
            "Arthralgia",
            "Nausea, altered taste",
            "Agranulocytosis (rare, mostly in the first 3 months)",
            "Cholestatic hepatotoxicity and ANCA-associated vasculitis (rare)",
            "Hypothyroidism from overtreatment",
        ],
        monitoring: &[
            "Free T4 and total T3 every 4-6 weeks until euthyroid, then every 2-3 months (TSH lags)",
            "CBC with differential and liver enzymes at baseline",
            "Stop and check a CBC at once for fever or sore throat (agranulocytosis)",
            "Liver enzymes if jaundice, dark urine or abdominal pain",
        ],
    },
    // Gastrointestinal.
    Drug {
        generic_name: "omeprazole",
        brand_names: &["Prilosec", "Prilosec OTC"],
        other_names: &[],
        drug_class: "Proton pump inhibitor (PPI)",
        indications: &[
            "Gastroesophageal reflux disease and erosive esophagitis",
            "Duodenal and gastric ulcer",
            "Helicobacter pylori eradication (with antibiotics)",
            "Prevention of NSAID-associated ulcers (off-label)",
            "Zollinger-Ellison syndrome",
        ],
        adult_dosing: "20 mg once daily 30-60 minutes before a meal: GERD 4-8 weeks; erosive esophagitis \
            4-8 weeks; duodenal ulcer 4 weeks; gastric ulcer 40 mg daily for 4-8 weeks. H. pylori: 20 \
            mg twice daily with antibiotics for 14 days. OTC: 20 mg daily for 14 days. \
            Zollinger-Ellison: 60 mg daily, up to 120 mg three times daily. Use the lowest effective \
            dose for the shortest time.",
        renal_adjustment: "No dose adjustment.",
        contraindications: &[
            "Hypersensitivity to omeprazole or other substituted benzimidazoles",
            "Use with rilpivirine-containing products",
        ],
        common_adverse_effects: &[
            "Headache",
            "Abdominal pain, nausea, diarrhea, flatulence",
            "Long-term: Clostridioides difficile infection, bone fracture, hypomagnesemia, vitamin B12 deficiency",
            "Fundic gland polyps, acute interstitial nephritis, cutaneous lupus (rare)",
        ],
        monitoring: &[
            "Symptom response; reassess the need for continued use",
            "Magnesium with long-term use, or with digoxin or diuretics",
            "Vitamin B12 with long-term use",
            "It inhibits CYP2C19: check clopidogrel and other interacting drugs",
        ],
    },
    Drug {
        generic_name: "pantoprazole",
        brand_names: &["Protonix"],
        other_names: &[],
        drug_class: "Proton pump inhibitor (PPI)",
        indications: &[
            "Erosive esophagitis associated with GERD (treatment and maintenance)",
            "Zollinger-Ellison syndrome",
            "Prevention of NSAID-associated ulcers and H. pylori eradication (off-label)",
        ],
        adult_dosing: "40 mg once daily before a meal for up to 8 weeks (a further 8 weeks if not \
            healed); maintenance 40 mg once daily. Zollinger-Ellison: 40 mg twice daily, up to 240 \
            mg/day.",
        renal_adjustment: "No dose adjustment.",
        contraindications: &[
            "Hypersensitivity to pantoprazole or other substituted benzimidazoles",
            "Use with rilpivirine-containing products",
        ],
        common_adverse_effects: &[
            "Headache",
            "Diarrhea, nausea, abdominal pain, flatulence",
            "Long-term: Clostridioides difficile infection, bone fracture, hypomagnesemia, vitamin B12 deficiency",
            "Acute interstitial nephritis, cutaneous lupus (rare)",
        ],
        monitoring: &[
            "Symptom response; reassess the need for continued use",
            "Magnesium and vitamin B12 with long-term use",
            "The preferred PPI with clopidogrel (little CYP2C19 inhibition)",
        ],
    },
    Drug {
        generic_name: "famotidine",
        brand_names: &["Pepcid", "Pepcid AC"],
        other_names: &[],
        drug_class: "Histamine H2 receptor antagonist",
        indications: &[
            "Gastroesophageal reflux disease and erosive esophagitis",
            "Duodenal and gastric ulcer",
            "Heartburn and acid indigestion (OTC)",
        ],
        adult_dosing: "GERD: 20 mg twice daily for up to 6 weeks; erosive esophagitis 20-40 mg twice daily \
            for up to 12 weeks. Active duodenal ulcer: 40 mg once daily (or 20 mg twice daily) for up \
            to 8 weeks. OTC heartburn: 10-20 mg up to twice daily. Usual maximum 80 mg/day (higher in \
            Zollinger-Ellison syndrome).",
        renal_adjustment: "CrCl 30-60: halve the dose (e.g. 20 mg once daily). CrCl < 30: 10 mg once daily \
            or 20 mg every other day. Confusion, delirium and QT prolongation have occurred with \
            unadjusted doses in renal impairment.",
        contraindications: &["Hypersensitivity to famotidine or other H2 receptor antagonists"],
        common_adverse_effects: &[
            "Headache, dizziness",
            "Constipation, diarrhea",
            "Confusion or delirium in older adults and renal impairment",
        ],
        monitoring: &[
            "Symptom response",
            "Renal function for dosing",
            "Mental status in older adults",
        ],
    },
    Drug {
        generic_name: "ondansetron",
        brand_names: &["Zofran", "Zuplenz"],
        other_names: &[],
        drug_class: "Serotonin 5-HT3 receptor antagonist antiemetic",
        indications: &[
            "Prevention of chemotherapy-induced nausea and vomiting",
            "Prevention of radiotherapy-induced nausea and vomiting",
            "Prevention and treatment of postoperative nausea and vomiting",
            "Nausea and vomiting of other causes, including gastroenteritis (off-label)",
        ],
        adult_dosing: "Highly emetogenic chemotherapy: 24 mg orally 30 minutes before. Moderately \
            emetogenic: 8 mg twice daily, first dose 30 minutes before. Radiotherapy: 8 mg three \
            times daily. Postoperative: 16 mg orally 1 hour before anesthesia, or 4 mg IV. General \
            nausea (off-label): 4-8 mg every 8 hours as needed. Single IV doses no higher than 16 mg \
            (QT prolongation). Severe hepatic impairment: maximum 8 mg/day.",
        renal_adjustment: "No dose adjustment.",
        contraindications: &[
            "Use with apomorphine (profound hypotension and loss of consciousness)",
            "Hypersensitivity to ondansetron",
        ],
        common_adverse_effects: &[
            "Headache",
            "Constipation or diarrhea",
            "Fatigue, malaise, dizziness",
            "QT prolongation (dose-dependent)",
            "Serotonin syndrome with other serotonergic drugs (rare)",
        ],
        monitoring: &[
            "ECG in patients with QT risk factors (electrolyte abnormalities, heart failure, bradyarrhythmias, other QT-prolonging drugs)",
            "Correct hypokalemia and hypomagnesemia before use",
            "Abdominal distension (it can mask ileus)",
        ],
    },
    // Psychiatry and neurology.
    Drug {
        generic_name: "sertraline",
        brand_names: &["Zoloft"],
        other_names: &[],
        drug_class: "Selective serotonin reuptake inhibitor (SSRI)",
        indications: &[
            "Major depressive disorder",
            "Obsessive-compulsive disorder",
            "Panic disorder",
            "Posttraumatic stress disorder",
            "Social anxiety disorder",
            "Premenstrual dysphoric disorder",
            "Generalized anxiety disorder (off-label)",
        ],
        adult_dosing: "Depression and OCD: 50 mg once daily. Panic, PTSD and social anxiety: 25 mg once \
            daily for 1 week, then 50 mg. Increase by 25-50 mg at intervals of at least 1 week; \
            maximum 200 mg/day. PMDD: 50 mg daily, continuously or in the luteal phase, up to 150 mg. \
            Taper when stopping.",
        renal_adjustment: "No dose adjustment.",
        contraindications: &[
            "MAO inhibitors, or within 14 days of one (including linezolid or IV methylene blue)",
            "Pimozide",
            "Disulfiram with the oral concentrate (contains alcohol)",
            "Hypersensitivity to sertraline",
        ],
        common_adverse_effects: &[
            "Nausea, diarrhea, dyspepsia",
            "Insomnia or somnolence, dizziness, fatigue",
            "Tremor, sweating",
            "Sexual dysfunction (delayed ejaculation, decreased libido)",
            "Hyponatremia (SIADH, mostly older adults), bleeding risk",
            "Suicidal thoughts in those 24 or younger (boxed warning); activation of mania",
        ],
        monitoring: &[
            "Mood, suicidality and unusual behavior, especially in the first months and after dose changes",
            "Sodium in older adults and those on diuretics",
            "Bleeding risk with anticoagulants, antiplatelets or NSAIDs",
            "Serotonin syndrome with other serotonergic drugs",
        ],
    },
    Drug {
        generic_name: "fluoxetine",
        brand_names: &["Prozac", "Sarafem"],
        other_names: &[],
        drug_class: "Selective serotonin reuptake inhibitor (SSRI)",
        indications: &[
            "Major depressive disorder",
            "Obsessive-compulsive disorder",
            "Bulimia nervosa",
            "Panic disorder",
            "Premenstrual dysphoric disorder (Sarafem)",
            "Bipolar I depression and treatment-resistant depression (with olanzapine)",
        ],
        adult_dosing: "Depression and OCD: 20 mg once daily in the morning; increase after several weeks \
            if needed; maximum 80 mg/day. Bulimia: 60 mg/day (may titrate up to it). Panic disorder: \
            10 mg daily for 1 week, then 20 mg; maximum 60 mg/day. Its long half-life (norfluoxetine, \
            about 1-2 weeks) delays steady state and washout.",
        renal_adjustment: "No dose adjustment.",
        contraindications: &[
            "MAO inhibitors, or within 14 days of one; wait 5 weeks after stopping fluoxetine before starting an MAOI",
            "Pimozide or thioridazine (wait 5 weeks after stopping fluoxetine)",
            "Hypersensitivity to fluoxetine",
        ],
        common_adverse_effects: &[
            "Insomnia, anxiety, nervousness",
            "Nausea, diarrhea, anorexia",
            "Headache, tremor",
            "Sexual dysfunction",
            "Rash; hyponatremia, bleeding risk, QT prolongation",
            "Suicidal thoughts in those 24 or younger (boxed warning); activation of mania",
        ],
        monitoring: &[
            "Mood, suicidality and unusual behavior, especially in the first months and after dose changes",
            "Sodium in older adults",
            "It strongly inhibits CYP2D6 (and CYP2C19 moderately): review interacting drugs",
            "Bleeding risk with anticoagulants, antiplatelets or NSAIDs",
        ],
    },
    Drug {
        generic_name: "escitalopram",
        brand_names: &["Lexapro"],
        other_names: &[],
        drug_class: "Selective serotonin reuptake inhibitor (SSRI)",
        indications: &[
            "Major depressive disorder",
            "Generalized anxiety disorder",
        ],
        adult_dosing: "10 mg once daily; may increase to 20 mg after at least 1 week; maximum 20 mg/day. \
            Older adults and hepatic impairment: 10 mg/day.",
        renal_adjustment: "No adjustment for mild to moderate impairment; use with caution at CrCl < 20.",
        contraindications: &[
            "MAO inhibitors, or within 14 days of one (including linezolid or IV methylene blue)",
            "Pimozide",
            "Hypersensitivity to escitalopram or citalopram",
        ],
        common_adverse_effects: &[
            "Nausea",
            "Insomnia or somnolence, fatigue, dizziness",
            "Sweating",
            "Ejaculation disorder, decreased libido",
            "Hyponatremia, bleeding risk, dose-related QT prolongation",
            "Suicidal thoughts in those 24 or younger (boxed warning)",
        ],
        monitoring: &[
            "Mood, suicidality and unusual behavior, especially in the first months and after dose changes",
            "Sodium in older adults",
            "ECG with QT risk factors or other QT-prolonging drugs",
        ],
    },
    Drug {
        generic_name: "duloxetine",
        brand_names: &["Cymbalta", "Drizalma Sprinkle"],
        other_names: &[],
        drug_class: "Serotonin-norepinephrine reuptake inhibitor (SNRI)",
        indications: &[
            "Major depressive disorder",
            "Generalized anxiety disorder",
            "Diabetic peripheral neuropathic pain",
            "Fibromyalgia",
            "Chronic musculoskeletal pain (osteoarthritis, chronic low back pain)",
        ],
        adult_dosing: "Depression: 40-60 mg/day (60 mg once daily or 30 mg twice daily); starting at 30 \
            mg for 1 week improves tolerability. Anxiety: 60 mg daily (start 30 mg), up to 120 mg. \
            Neuropathic pain: 60 mg once daily. Fibromyalgia and musculoskeletal pain: 30 mg daily for \
            1 week, then 60 mg. Maximum 120 mg/day (no added benefit above 60 mg in most \
            indications). Taper when stopping.",
        renal_adjustment: "Avoid at eGFR/CrCl < 30. Lower starting dose and slower titration in \
            moderate impairment.",
        contraindications: &[
            "MAO inhibitors, or within 14 days of one; wait 5 days after stopping duloxetine before an MAOI",
            "Linezolid or IV methylene blue",
            "Hepatic impairment or substantial alcohol use (avoid)",
            "Hypersensitivity to duloxetine",
        ],
        common_adverse_effects: &[
            "Nausea, dry mouth, constipation, decreased appetite",
            "Somnolence, dizziness, fatigue, insomnia",
            "Sweating",
            "Blood pressure increase, urinary hesitancy",
            "Hepatotoxicity, hyponatremia, bleeding risk (rare)",
            "Suicidal thoughts in those 24 or younger (boxed warning)",
        ],
        monitoring: &[
            "Mood and suicidality",
            "Blood pressure",
            "Liver enzymes if symptoms; avoid heavy alcohol use",
            "Sodium in older adults",
        ],
    },
    Drug {
        generic_name: "bupropion",
        brand_names: &["Wellbutrin", "Wellbutrin SR", "Wellbutrin XL", "Zyban", "Aplenzin", "Forfivo XL"],
        other_names: &[],
        drug_class: "Aminoketone antidepressant (norepinephrine-dopamine reuptake inhibitor)",
        indications: &[
            "Major depressive disorder",
            "Seasonal affective disorder prevention (extended release)",
            "Smoking cessation (Zyban)",
        ],
        adult_dosing: "Extended release (XL): 150 mg each morning; increase to 300 mg after at least 4 \
            days; maximum 450 mg/day. Sustained release (SR): 150 mg each morning for 3 days, then \
            150 mg twice daily at least 8 hours apart; maximum 400 mg/day. Smoking cessation: 150 mg \
            daily for 3 days, then 150 mg twice daily for 7-12 weeks, starting 1-2 weeks before the \
            quit date. Seizure risk is dose-related: never exceed the maximum.",
        renal_adjustment: "Renal impairment (GFR < 90): consider a lower dose or less frequent dosing \
            because metabolites accumulate. Moderate to severe hepatic impairment: maximum 150 mg every \
            other day.",
        contraindications: &[
            "Seizure disorder",
            "Current or prior bulimia or anorexia nervosa",
            "Abrupt discontinuation of alcohol, benzodiazepines, barbiturates or antiepileptic drugs",
            "MAO inhibitors, or within 14 days of one (including linezolid or IV methylene blue)",
            "Hypersensitivity to bupropion",
        ],
        common_adverse_effects: &[
            "Insomnia, agitation, anxiety",
            "Dry mouth, nausea, constipation",
            "Headache, tremor, dizziness",
            "Weight loss",
            "Tachycardia and hypertension",
            "Seizures (dose-related); neuropsychiatric events",
        ],
        monitoring: &[
            "Blood pressure before starting and periodically",
            "Mood, suicidality and neuropsychiatric symptoms",
            "Seizure risk factors",
            "It strongly inhibits CYP2D6: review interacting drugs",
        ],
    },
    Drug {
        generic_name: "trazodone",
        brand_names: &["Desyrel"],
        other_names: &[],
        drug_class: "Serotonin antagonist and reuptake inhibitor (SARI) antidepressant",
        indications: &[
            "Major depressive disorder",
            "Insomnia (off-label, low dose)",
        ],
        adult_dosing: "Depression: 150 mg/day in divided doses after food; increase by 50 mg/day every \
            3-4 days; maximum 400 mg/day for outpatients (600 mg/day inpatients). Insomnia \
            (off-label): 25-100 mg at bedtime.",
        renal_adjustment: "No dose adjustment; use with caution.",
        contraindications: &[
            "MAO inhibitors, or within 14 days of one (including linezolid or IV methylene blue)",
            "Hypersensitivity to trazodone",
        ],
        common_adverse_effects: &[
            "Somnolence, dizziness",
            "Dry mouth, nausea, headache, blurred vision",
            "Orthostatic hypotension and falls",
            "QT prolongation and arrhythmia",
            "Priapism (rare; needs emergency care)",
            "Suicidal thoughts in those 24 or younger (boxed warning)",
        ],
        monitoring: &[
            "Mood and suicidality",
            "Orthostatic blood pressure and fall risk in older adults",
            "ECG with cardiac disease or QT risk factors",
        ],
    },
    Drug {
        generic_name: "gabapentin",
        brand_names: &["Neurontin", "Gralise"],
        other_names: &[],
        drug_class: "Gabapentinoid anticonvulsant (alpha-2-delta calcium channel ligand)",
        indications: &[
            "Postherpetic neuralgia",
            "Partial-onset seizures (adjunctive therapy)",
            "Diabetic peripheral neuropathy and other neuropathic pain (off-label)",
        ],
        adult_dosing: "Postherpetic neuralgia: 300 mg on day 1, 300 mg twice daily on day 2, 300 mg three \
            times daily on day 3, then titrate to 1,800 mg/day in 3 doses. Epilepsy: 300 mg three \
            times daily, titrated to 900-1,800 mg/day, up to 3,600 mg/day. Neuropathic pain: 900-3,600 \
            mg/day in 3 doses. Maximum 3,600 mg/day. Gralise (once daily with the evening meal) is \
            not interchangeable. Taper over at least 1 week when stopping.",
        renal_adjustment: "CrCl >= 60: 900-3,600 mg/day in 3 doses. CrCl 30-59: 400-1,400 mg/day in 2 \
            doses. CrCl 15-29: 200-700 mg/day once daily. CrCl < 15: 100-300 mg/day once daily. \
            Hemodialysis: a supplemental 125-350 mg dose after each session.",
        contraindications: &["Hypersensitivity to gabapentin"],
        common_adverse_effects: &[
            "Dizziness, somnolence, fatigue",
            "Ataxia, falls, blurred vision",
            "Peripheral edema, weight gain",
            "Respiratory depression with opioids or other CNS depressants, or in lung disease and older adults",
            "Mood changes and suicidal thoughts (antiepileptic class warning); misuse",
            "DRESS (rare)",
        ],
        monitoring: &[
            "Renal function for dosing",
            "Sedation, dizziness and falls, especially in older adults",
            "Breathing and sedation when combined with opioids",
            "Mood and suicidality",
        ],
    },
    Drug {
        generic_name: "sumatriptan",
        brand_names: &["Imitrex", "Tosymra", "Onzetra Xsail", "Zembrace SymTouch"],
        other_names: &[],
        drug_class: "Triptan (serotonin 5-HT1B/1D receptor agonist)",
        indications: &[
            "Acute treatment of migraine with or without aura",
            "Acute treatment of cluster headache (subcutaneous)",
        ],
        adult_dosing: "Oral: 25, 50 or 100 mg at migraine onset; may repeat after at least 2 hours; \
            maximum 200 mg in 24 hours. Subcutaneous: 6 mg (1-6 mg); may repeat after at least 1 \
            hour; maximum 12 mg in 24 hours. Nasal spray (Imitrex): 5-20 mg; may repeat after 2 \
            hours; maximum 40 mg in 24 hours. Limit use to fewer than 10 days a month to avoid \
            medication-overuse headache.",
        renal_adjustment: "No dose adjustment.",
        contraindications: &[
            "Ischemic coronary artery disease or coronary vasospasm (including Prinzmetal angina)",
            "Wolff-Parkinson-White syndrome or arrhythmias with accessory conduction pathways",
            "History of stroke or TIA, or hemiplegic or basilar migraine",
            "Peripheral vascular disease or ischemic bowel disease",
            "Uncontrolled hypertension",
            "Another triptan or an ergot within 24 hours",
            "MAO-A inhibitors, or within 2 weeks of one",
            "Severe hepatic impairment",
        ],
        common_adverse_effects: &[
            "Tingling, warmth, flushing",
            "Chest, throat, neck or jaw tightness or pressure",
            "Dizziness, drowsiness",
            "Injection-site reactions; taste disturbance with nasal forms",
            "Myocardial ischemia, arrhythmia or stroke (rare)",
        ],
        monitoring: &[
            "Cardiovascular risk assessment before the first dose; give the first dose under supervision with an ECG if risk factors",
            "Blood pressure",
            "Headache days per month (medication overuse)",
            "Serotonin syndrome with SSRIs or SNRIs",
        ],
    },
    // Respiratory.
    Drug {
        generic_name: "albuterol",
        brand_names: &["ProAir", "Ventolin", "Proventil", "AccuNeb"],
        other_names: &["salbutamol"],
        drug_class: "Short-acting beta-2 adrenergic agonist (SABA)",
        indications: &[
            "Relief of bronchospasm in asthma and COPD",
            "Prevention of exercise-induced bronchoconstriction",
        ],
        adult_dosing: "Inhaler (90 mcg per actuation): 1-2 puffs every 4-6 hours as needed; for \
            exercise, 2 puffs 15-30 minutes before. Nebulized: 2.5 mg every 4-8 hours as needed. \
            Acute exacerbation: 4-8 puffs or 2.5-5 mg nebulized every 20 minutes for 3 doses, then as \
            needed. Needing it more than 2 days a week for symptoms signals poor asthma control.",
        renal_adjustment: "No dose adjustment.",
        contraindications: &[
            "Hypersensitivity to albuterol",
            "Severe milk protein allergy (lactose-containing dry-powder inhalers)",
        ],
        common_adverse_effects: &[
            "Tremor, nervousness",
            "Tachycardia, palpitations",
            "Headache",
            "Hypokalemia at high doses",
            "Paradoxical bronchospasm (rare)",
        ],
        monitoring: &[
            "Frequency of use (asthma control) and symptoms or peak flow",
            "Heart rate",
            "Potassium with repeated high doses",
        ],
    },
    Drug {
        generic_name: "fluticasone",
        brand_names: &["Flovent", "Flonase", "Arnuity Ellipta"],
        other_names: &["fluticasone propionate", "fluticasone furoate"],
        drug_class: "Corticosteroid (inhaled and intranasal)",
        indications: &[
            "Maintenance treatment of asthma (inhaled)",
            "Allergic and nonallergic rhinitis (intranasal)",
        ],
        adult_dosing: "Inhaled fluticasone propionate (Flovent HFA): 88 mcg twice daily if not on an \
            inhaled corticosteroid; adjust to control; maximum 880 mcg twice daily. Fluticasone \
            furoate (Arnuity Ellipta): 100 mcg once daily, maximum 200 mcg once daily. Nasal \
            (Flonase, 50 mcg/spray): 2 sprays per nostril once daily (or 1 spray twice daily), then \
            1 spray per nostril daily for maintenance; maximum 200 mcg/day. Rinse the mouth after \
            inhaled use.",
        renal_adjustment: "No dose adjustment.",
        contraindications: &[
            "Primary treatment of status asthmaticus or acute bronchospasm (inhaled)",
            "Hypersensitivity to fluticasone; severe milk protein allergy (dry-powder inhalers)",
        ],
        common_adverse_effects: &[
            "Inhaled: oral candidiasis, dysphonia, pharyngitis, cough",
            "Nasal: epistaxis, nasal irritation, headache",
            "Upper respiratory infection",
            "High doses long term: adrenal suppression, reduced bone density, cataract and glaucoma",
        ],
        monitoring: &[
            "Asthma or rhinitis control",
            "Oral thrush; nasal septum with long-term nasal use",
            "Eye examination and bone density with long-term high doses",
            "Strong CYP3A4 inhibitors such as ritonavir can cause Cushing syndrome",
        ],
    },
    Drug {
        generic_name: "montelukast",
        brand_names: &["Singulair"],
        other_names: &[],
        drug_class: "Leukotriene receptor antagonist",
        indications: &[
            "Prophylaxis and chronic treatment of asthma",
            "Prevention of exercise-induced bronchoconstriction",
            "Allergic rhinitis (only when other treatments are inadequate or not tolerated)",
        ],
        adult_dosing: "10 mg once daily in the evening. Exercise-induced bronchoconstriction: 10 mg at \
            least 2 hours before exercise, not more than once in 24 hours and not in those already \
            taking it daily. Maximum 10 mg/day.",
        renal_adjustment: "No dose adjustment.",
        contraindications: &["Hypersensitivity to montelukast"],
        common_adverse_effects: &[
            "Headache",
            "Upper respiratory infection, cough",
            "Abdominal pain",
            "Neuropsychiatric events: agitation, depression, sleep disturbance, suicidal thoughts (boxed warning)",
            "Elevated liver enzymes; eosinophilic granulomatosis with polyangiitis (rare)",
        ],
        monitoring: &[
            "Mood, behavior and sleep; stop if neuropsychiatric symptoms appear",
            "Asthma control",
        ],
    },
    // Anti-infectives.
    Drug {
        generic_name: "amoxicillin",
        brand_names: &["Amoxil"],
        other_names: &[],
        drug_class: "Aminopenicillin (beta-lactam antibiotic)",
        indications: &[
            "Ear, nose and throat infections (streptococcal pharyngitis, otitis media, sinusitis)",
            "Community-acquired pneumonia in healthy outpatients",
            "Urinary tract and skin infections caused by susceptible organisms",
            "Helicobacter pylori eradication (with a PPI and other antibiotics)",
            "Early Lyme disease (off-label alternative)",
        ],
        adult_dosing: "Mild to moderate infections: 500 mg every 12 hours or 250 mg every 8 hours. Severe \
            or lower respiratory infections: 875 mg every 12 hours or 500 mg every 8 hours. \
            Community-acquired pneumonia (IDSA/ATS): 1 g three times daily. Streptococcal \
            pharyngitis: 500 mg twice daily or 1 g once daily for 10 days. H. pylori: 1 g twice \
            daily. Usual maximum 3 g/day (up to 4 g/day in selected regimens).",
        renal_adjustment: "CrCl 10-30: 250-500 mg every 12 hours. CrCl < 10: 250-500 mg every 24 hours. \
            Hemodialysis: 250-500 mg every 24 hours plus a dose during and after dialysis. Avoid the \
            875 mg tablet and extended release at CrCl < 30.",
        contraindications: &[
            "Serious hypersensitivity (anaphylaxis, Stevens-Johnson syndrome) to amoxicillin or another beta-lactam",
        ],
        common_adverse_effects: &[
            "Diarrhea, nausea, vomiting",
            "Maculopapular rash (very common with infectious mononucleosis)",
            "Vulvovaginal candidiasis",
            "Allergic reactions including anaphylaxis",
            "Clostridioides difficile-associated diarrhea",
        ],
        monitoring: &[
            "Clinical response",
            "Signs of allergic reaction",
            "Severe or persistent diarrhea (C. difficile)",
            "Renal, hepatic and blood counts with prolonged courses",
        ],
    },
    Drug {
        generic_name: "cephalexin",
        brand_names: &["Keflex"],
        other_names: &["cefalexin"],
        drug_class: "First-generation cephalosporin (beta-lactam antibiotic)",
        indications: &[
            "Skin and soft tissue infections (non-purulent cellulitis)",
            "Streptococcal pharyngitis (penicillin allergy without anaphylaxis)",
            "Uncomplicated urinary tract infection",
            "Bone infections and otitis media caused by susceptible organisms",
        ],
        adult_dosing: "250 mg every 6 hours or 500 mg every 12 hours; 500 mg every 6-12 hours for \
            skin infections (often 5-10 days). Streptococcal pharyngitis: 500 mg twice daily for 10 \
            days. Cystitis: 500 mg twice daily for 5-7 days. Maximum 4 g/day.",
        renal_adjustment: "CrCl 30-59: no change, but maximum 1 g/day. CrCl 15-29: 250 mg every 8-12 \
            hours. CrCl 5-14 (not on dialysis): 250 mg every 24 hours. CrCl 1-4: 250 mg every 48-60 \
            hours.",
        contraindications: &[
            "Hypersensitivity to cephalexin or other cephalosporins",
            "Caution (not absolute) with a history of severe immediate penicillin allergy",
        ],
        common_adverse_effects: &[
            "Diarrhea, nausea, dyspepsia",
            "Rash and other allergic reactions",
            "Genital candidiasis",
            "Clostridioides difficile-associated diarrhea",
        ],
        monitoring: &[
            "Clinical response",
            "Signs of allergic reaction",
            "Renal function for dosing",
        ],
    },
    Drug {
        generic_name: "azithromycin",
        brand_names: &["Zithromax", "Z-Pak"],
        other_names: &[],
        drug_class: "Macrolide antibiotic",
        indications: &[
            "Community-acquired pneumonia (with a beta-lactam, or alone where pneumococcal macrolide resistance is below 25%)",
            "Acute bacterial exacerbation of COPD",
            "Pharyngitis in penicillin allergy, and acute otitis media",
            "Chlamydia (single dose; doxycycline preferred)",
            "Pertussis and travelers' diarrhea (off-label)",
        ],
        adult_dosing: "500 mg on day 1, then 250 mg once daily on days 2-5 (Z-Pak); or 500 mg once daily \
            for 3 days. Chlamydia: 1 g as a single dose. Pneumonia with a beta-lactam: 500 mg on day \
            1, then 250 mg daily.",
        renal_adjustment: "No dose adjustment; use with caution at GFR < 10 (exposure about 35% higher).",
        contraindications: &[
            "Hypersensitivity to azithromycin, erythromycin or any macrolide or ketolide",
            "Cholestatic jaundice or hepatic dysfunction with prior azithromycin use",
        ],
        common_adverse_effects: &[
            "Diarrhea, nausea, abdominal pain, vomiting",
            "QT prolongation and torsades de pointes",
            "Hepatotoxicity (rare)",
            "Clostridioides difficile-associated diarrhea",
            "Hearing changes (rare)",
        ],
        monitoring: &[
            "ECG and potassium/magnesium with QT risk factors or other QT-prolonging drugs",
            "Liver enzymes if symptoms of hepatitis",
            "Clinical response",
        ],
    },
    Drug {
        generic_name: "clarithromycin",
        brand_names: &["Biaxin"],
        other_names: &[],
        drug_class: "Macrolide antibiotic",
        indications: &[
            "Respiratory tract infections (pharyngitis, sinusitis, community-acquired pneumonia)",
            "Helicobacter pylori eradication (with a PPI and amoxicillin or metronidazole)",
            "Skin infections",
            "Mycobacterium avium complex prophylaxis and treatment",
        ],
        adult_dosing: "250-500 mg every 12 hours for 7-14 days (extended release 1,000 mg once daily). \
            H. pylori: 500 mg twice daily for 14 days with a PPI and amoxicillin. Maximum 1 g/day \
            (MAC: 500 mg twice daily).",
        renal_adjustment: "CrCl < 30: halve the dose or double the interval.",
        contraindications: &[
            "Hypersensitivity to macrolide antibiotics",
            "History of QT prolongation or ventricular arrhythmia, including torsades de pointes",
            "Use with simvastatin or lovastatin (rhabdomyolysis), pimozide, ergotamine or dihydroergotamine",
            "Use with colchicine in renal or hepatic impairment",
            "Cholestatic jaundice or hepatic dysfunction with prior clarithromycin use",
        ],
        common_adverse_effects: &[
            "Diarrhea, nausea, abdominal pain",
            "Altered (metallic) taste",
            "Headache",
            "QT prolongation",
            "Hepatotoxicity; Clostridioides difficile-associated diarrhea",
        ],
        monitoring: &[
            "Every other medicine: it is a strong CYP3A4 and P-gp inhibitor",
            "ECG with QT risk factors",
            "Liver enzymes if symptoms",
            "Renal function for dosing",
        ],
    },
    Drug {
        generic_name: "doxycycline",
        brand_names: &["Vibramycin", "Doryx", "Acticlate", "Oracea", "Monodox"],
        other_names: &[],
        drug_class: "Tetracycline antibiotic",
        indications: &[
            "Community-acquired pneumonia and other respiratory infections",
            "Chlamydia and other sexually transmitted infections; doxycycline post-exposure prophylaxis",
            "Lyme disease and other tick-borne infections (Rocky Mountain spotted fever)",
            "Acne and rosacea (Oracea)",
            "Skin infections including community MRSA; malaria prophylaxis",
        ],
        adult_dosing: "100 mg every 12 hours (200 mg on day 1 in some regimens). Chlamydia: 100 mg \
            twice daily for 7 days. Early Lyme disease: 100 mg twice daily for 10-14 days. Malaria \
            prophylaxis: 100 mg daily. Rosacea (Oracea): 40 mg once daily. Maximum 200 mg/day for \
            most uses. Take with a full glass of water, stay upright for 30 minutes, and separate \
            from antacids, calcium, iron, magnesium and zinc by 2-3 hours.",
        renal_adjustment: "No dose adjustment (eliminated by non-renal routes in renal impairment).",
        contraindications: &[
            "Hypersensitivity to any tetracycline",
            "Pregnancy after the first trimester and children under 8 (tooth discoloration), except short courses for serious infections such as Rocky Mountain spotted fever",
        ],
        common_adverse_effects: &[
            "Nausea, vomiting, diarrhea",
            "Esophagitis and esophageal ulcers (take upright with water)",
            "Photosensitivity",
            "Tooth discoloration in young children",
            "Intracranial hypertension (rare); Clostridioides difficile-associated diarrhea",
        ],
        monitoring: &[
            "Clinical response",
            "Sun protection counseling",
            "INR with warfarin",
            "Blood counts, renal and hepatic function with prolonged courses",
        ],
    },
    Drug {
        generic_name: "ciprofloxacin",
        brand_names: &["Cipro"],
        other_names: &[],
        drug_class: "Fluoroquinolone antibiotic",
        indications: &[
            "Complicated urinary tract infection and pyelonephritis",
            "Bone and joint infections, infectious diarrhea, typhoid fever",
            "Inhalational anthrax and plague (post-exposure)",
            "Uncomplicated cystitis, sinusitis and bronchitis only when no alternative exists (boxed warning)",
        ],
        adult_dosing: "Uncomplicated cystitis (no alternative): 250 mg every 12 hours for 3 days. \
            Complicated UTI or pyelonephritis: 500 mg every 12 hours for 7 days. Other infections: \
            500-750 mg every 12 hours. Maximum 1,500 mg/day orally. Take 2 hours before or 6 hours \
            after antacids, calcium, iron, magnesium or zinc.",
        renal_adjustment: "CrCl 30-50: 250-500 mg every 12 hours. CrCl 5-29: 250-500 mg every 18 hours. \
            Hemodialysis or peritoneal dialysis: 250-500 mg every 24 hours, after dialysis.",
        contraindications: &[
            "Hypersensitivity to any quinolone",
            "Use with tizanidine",
            "Myasthenia gravis (avoid: exacerbation; boxed warning)",
        ],
        common_adverse_effects: &[
            "Nausea, diarrhea, vomiting",
            "Headache, dizziness, rash",
            "Tendinitis and tendon rupture, peripheral neuropathy, CNS effects (boxed warning)",
            "QT prolongation, dysglycemia",
            "Aortic aneurysm and dissection (rare); Clostridioides difficile-associated diarrhea",
        ],
        monitoring: &[
            "Tendon pain (stop at once), neuropathy symptoms, mental status in older adults",
            "Blood glucose in diabetes",
            "Renal function for dosing",
            "ECG with QT risk factors; INR with warfarin",
        ],
    },
    Drug {
        generic_name: "nitrofurantoin",
        brand_names: &["Macrobid", "Macrodantin", "Furadantin"],
        other_names: &[],
        drug_class: "Nitrofuran urinary antibacterial",
        indications: &[
            "Acute uncomplicated cystitis (first-line)",
            "Prophylaxis of recurrent urinary tract infection",
        ],
        adult_dosing: "Cystitis: Macrobid 100 mg every 12 hours with food for 5 days (or Macrodantin \
            50-100 mg four times daily for 7 days). Prophylaxis: 50-100 mg at bedtime. Maximum 400 \
            mg/day. Not for pyelonephritis or systemic infection (inadequate tissue levels).",
        renal_adjustment: "Label: contraindicated at CrCl < 60. Beers criteria and observational data \
            support short courses down to CrCl 30; avoid below 30 (ineffective and more toxic).",
        contraindications: &[
            "Anuria, oliguria or significant renal impairment (label: CrCl < 60)",
            "Pregnancy at term (38-42 weeks), during labor or when labor is imminent",
            "Infants under 1 month",
            "Cholestatic jaundice or hepatic dysfunction with prior nitrofurantoin use",
            "Hypersensitivity to nitrofurantoin",
        ],
        common_adverse_effects: &[
            "Nausea, headache, flatulence",
            "Brown discoloration of urine",
            "Acute pulmonary hypersensitivity reactions; chronic pulmonary fibrosis with long-term use",
            "Hepatotoxicity and peripheral neuropathy (mainly long-term)",
            "Hemolytic anemia in G6PD deficiency",
        ],
        monitoring: &[
            "Renal function before prescribing",
            "Pulmonary symptoms and liver enzymes during long-term prophylaxis",
            "Numbness or tingling (neuropathy)",
        ],
    },
    Drug {
        generic_name: "sulfamethoxazole-trimethoprim",
        brand_names: &["Bactrim", "Bactrim DS", "Septra", "Sulfatrim"],
        other_names: &["trimethoprim-sulfamethoxazole", "TMP-SMX", "SMX-TMP", "co-trimoxazole"],
        drug_class: "Sulfonamide and dihydrofolate reductase inhibitor antibiotic combination",
        indications: &[
            "Uncomplicated cystitis (where local resistance is below 20%) and pyelonephritis",
            "Skin and soft tissue infections with community MRSA",
            "Pneumocystis pneumonia treatment and prophylaxis",
            "Toxoplasmosis prophylaxis, traveler's diarrhea, shigellosis",
        ],
        adult_dosing: "One double-strength tablet (800 mg sulfamethoxazole / 160 mg trimethoprim) every \
            12 hours: cystitis 3 days, pyelonephritis 7-14 days, skin infection 1-2 tablets twice \
            daily for 5-10 days. Pneumocystis treatment: 15-20 mg/kg/day of trimethoprim in 3-4 \
            doses for 21 days; prophylaxis: 1 double- or single-strength tablet daily.",
        renal_adjustment: "CrCl > 30: usual dose. CrCl 15-30: half the usual dose. CrCl < 15: not \
            recommended. It blocks tubular creatinine secretion, so creatinine rises without a true \
            fall in GFR.",
        contraindications: &[
            "Hypersensitivity to trimethoprim or sulfonamides",
            "History of drug-induced immune thrombocytopenia with trimethoprim or sulfonamides",
            "Megaloblastic anemia due to folate deficiency",
            "Marked hepatic damage, or severe renal insufficiency when renal function cannot be monitored",
            "Use with dofetilide",
            "Infants under 2 months",
        ],
        common_adverse_effects: &[
            "Nausea, vomiting, anorexia",
            "Rash, urticaria, photosensitivity",
            "Hyperkalemia (trimethoprim acts like amiloride)",
            "Rise in serum creatinine",
            "Stevens-Johnson syndrome, toxic epidermal necrolysis, DRESS (rare)",
            "Bone marrow suppression, hypoglycemia, aseptic meningitis (rare)",
        ],
        monitoring: &[
            "Potassium and creatinine, especially with ACE inhibitors, ARBs, spironolactone, CKD or older age",
            "CBC with prolonged courses",
            "Rash (stop at the first sign of a serious skin reaction)",
            "INR with warfarin; glucose with sulfonylureas",
        ],
    },
    Drug {
        generic_name: "metronidazole",
        brand_names: &["Flagyl", "Likmez"],
        other_names: &[],
        drug_class: "Nitroimidazole antibacterial and antiprotozoal",
        indications: &[
            "Bacterial vaginosis",
            "Trichomoniasis",
            "Anaerobic infections (intra-abdominal, gynecologic, skin)",
            "Amebiasis and giardiasis",
            "Clostridioides difficile infection (only if vancomycin and fidaxomicin are unavailable)",
        ],
        adult_dosing: "Bacterial vaginosis: 500 mg twice daily for 7 days. Trichomoniasis: women 500 mg \
            twice daily for 7 days; men 2 g as a single dose. Anaerobic infections: 500 mg every 8 \
            hours (7-10 days or longer). Maximum 4 g/day. Severe hepatic impairment (Child-Pugh C): \
            halve the dose.",
        renal_adjustment: "No dose adjustment; metabolites accumulate in kidney failure. Hemodialysis \
            removes it: give the dose after dialysis.",
        contraindications: &[
            "Disulfiram within the last 2 weeks",
            "Alcohol or propylene glycol during treatment and for 3 days after (disulfiram-like reaction)",
            "Cockayne syndrome (severe hepatotoxicity)",
            "Hypersensitivity to metronidazole or other nitroimidazoles",
        ],
        common_adverse_effects: &[
            "Nausea, metallic taste, anorexia",
            "Headache, diarrhea",
            "Dark urine; vaginal candidiasis",
            "Peripheral neuropathy, seizures or encephalopathy with prolonged or high-dose use",
            "QT prolongation (rare)",
        ],
        monitoring: &[
            "Neurologic symptoms (numbness, tingling, confusion) with prolonged courses",
            "INR with warfarin",
            "CBC with prolonged courses",
        ],
    },
    Drug {
        generic_name: "fluconazole",
        brand_names: &["Diflucan"],
        other_names: &[],
        drug_class: "Triazole antifungal",
        indications: &[
            "Vulvovaginal candidiasis",
            "Oropharyngeal and esophageal candidiasis",
            "Candidemia and other invasive Candida infections",
            "Cryptococcal meningitis",
            "Prophylaxis of candidiasis in bone marrow transplant",
        ],
        adult_dosing: "Vaginal candidiasis: 150 mg as a single dose (repeat after 72 hours for severe or \
            complicated cases). Oropharyngeal: 200 mg on day 1, then 100-200 mg daily for 7-14 days. \
            Esophageal: 200-400 mg daily for 14-21 days. Invasive candidiasis and cryptococcal \
            meningitis: 800 mg load, then 400-800 mg (6-12 mg/kg) daily. Maximum 800 mg/day in most \
            regimens.",
        renal_adjustment: "Single-dose vaginal therapy: no change. Multiple doses: give the usual \
            loading dose, then 50% of the dose at CrCl <= 50; on hemodialysis, 100% of the dose after \
            each session.",
        contraindications: &[
            "Hypersensitivity to fluconazole or other azoles",
            "Use with QT-prolonging CYP3A4 substrates such as erythromycin, pimozide, quinidine or cisapride",
        ],
        common_adverse_effects: &[
            "Headache",
            "Nausea, abdominal pain, diarrhea, altered taste",
            "Rash",
            "Elevated liver enzymes; hepatotoxicity (rare)",
            "QT prolongation",
        ],
        monitoring: &[
            "Liver enzymes with prolonged courses",
            "ECG and electrolytes with QT risk factors",
            "INR with warfarin; glucose with sulfonylureas (it inhibits CYP2C9 and CYP3A4)",
            "Renal function for dosing",
        ],
    },
    // Pain, inflammation and musculoskeletal.
    Drug {
        generic_name: "ibuprofen",
        brand_names: &["Advil", "Motrin", "Caldolor"],
        other_names: &[],
        drug_class: "Nonsteroidal anti-inflammatory drug (NSAID; nonselective COX inhibitor)",
        indications: &[
            "Mild to moderate pain",
            "Fever",
            "Osteoarthritis and rheumatoid arthritis",
            "Primary dysmenorrhea",
        ],
        adult_dosing: "OTC: 200-400 mg every 4-6 hours as needed; maximum 1,200 mg/day unless directed \
            by a clinician. Prescription: pain 400 mg every 4-6 hours as needed; arthritis 400-800 mg \
            three or four times daily; maximum 3,200 mg/day. Take with food; use the lowest effective \
            dose for the shortest time.",
        renal_adjustment: "Avoid in advanced kidney disease (eGFR < 30) and in volume depletion; in \
            milder CKD use only short courses with monitoring. It can cause acute kidney injury and \
            hyperkalemia.",
        contraindications: &[
            "Hypersensitivity to ibuprofen",
            "Asthma, urticaria or allergic-type reactions after aspirin or other NSAIDs",
            "Perioperative pain around coronary artery bypass graft surgery (boxed warning)",
            "Pregnancy from 30 weeks (premature ductus closure); avoid from 20 weeks (oligohydramnios)",
        ],
        common_adverse_effects: &[
            "Dyspepsia, nausea, heartburn",
            "Gastrointestinal ulceration and bleeding (boxed warning)",
            "Fluid retention, edema and raised blood pressure",
            "Acute kidney injury, hyperkalemia",
            "Myocardial infarction and stroke risk (boxed warning)",
            "Dizziness, rash",
        ],
        monitoring: &[
            "Blood pressure",
            "Creatinine and potassium in CKD, older adults, or with ACE inhibitors, ARBs or diuretics",
            "Signs of gastrointestinal bleeding; CBC with chronic use",
            "Edema and heart failure symptoms",
        ],
    },
    Drug {
        generic_name: "naproxen",
        brand_names: &["Naprosyn", "EC-Naprosyn", "Aleve", "Anaprox DS", "Naprelan"],
        other_names: &["naproxen sodium"],
        drug_class: "Nonsteroidal anti-inflammatory drug (NSAID; nonselective COX inhibitor)",
        indications: &[
            "Mild to moderate pain and primary dysmenorrhea",
            "Osteoarthritis, rheumatoid arthritis, ankylosing spondylitis",
            "Acute gout flare",
            "Tendinitis and bursitis",
        ],
        adult_dosing: "Pain: 500 mg, then 500 mg every 12 hours or 250 mg every 6-8 hours; maximum \
            1,250 mg on day 1, then 1,000 mg/day. Arthritis: 250-500 mg twice daily (up to 1,500 \
            mg/day for limited periods). Acute gout: 750 mg once, then 250 mg every 8 hours until the \
            flare subsides. OTC naproxen sodium 220 mg: 1 tablet every 8-12 hours, at most 2 in any 12 \
            hours and 3 in 24 hours. 275 mg naproxen sodium equals 250 mg naproxen.",
        renal_adjustment: "Not recommended at CrCl < 30. In milder CKD use only short courses with \
            monitoring; it can cause acute kidney injury and hyperkalemia.",
        contraindications: &[
            "Hypersensitivity to naproxen",
            "Asthma, urticaria or allergic-type reactions after aspirin or other NSAIDs",
            "Perioperative pain around coronary artery bypass graft surgery (boxed warning)",
            "Pregnancy from 30 weeks (premature ductus closure); avoid from 20 weeks (oligohydramnios)",
        ],
        common_adverse_effects: &[
            "Dyspepsia, heartburn, nausea, abdominal pain",
            "Gastrointestinal ulceration and bleeding (boxed warning)",
            "Fluid retention, edema and raised blood pressure",
            "Acute kidney injury, hyperkalemia",
            "Myocardial infarction and stroke risk (boxed warning)",
            "Drowsiness, dizziness, tinnitus",
        ],
        monitoring: &[
            "Blood pressure",
            "Creatinine and potassium in CKD, older adults, or with ACE inhibitors, ARBs or diuretics",
            "Signs of gastrointestinal bleeding; CBC with chronic use",
            "Edema and heart failure symptoms",
        ],
    },
    Drug {
        generic_name: "acetaminophen",
        brand_names: &["Tylenol", "Ofirmev"],
        other_names: &["paracetamol", "APAP"],
        drug_class: "Non-opioid analgesic and antipyretic",
        indications: &[
            "Mild to moderate pain",
            "Fever",
            "Osteoarthritis pain",
        ],
        adult_dosing: "325-650 mg every 4-6 hours or 1,000 mg every 6-8 hours as needed; maximum 4 g/day \
            (some OTC labels: 3 g/day). Keep to 2-3 g/day or less with regular alcohol use, chronic liver \
            disease, malnutrition or older age. Count acetaminophen in combination products.",
        renal_adjustment: "No adjustment in mild to moderate impairment. CrCl < 30: many references \
            lengthen the interval to every 6-8 hours and lower the daily maximum.",
        contraindications: &[
            "Severe hepatic impairment or severe active liver disease",
            "Hypersensitivity to acetaminophen",
        ],
        common_adverse_effects: &[
            "Well tolerated at therapeutic doses",
            "Hepatotoxicity with overdose or excess daily dose (higher risk with alcohol, fasting or liver disease)",
            "Rash; serious skin reactions (SJS/TEN, AGEP) (rare)",
        ],
        monitoring: &[
            "Total daily dose from all sources, including combination products",
            "Liver enzymes with chronic high doses or liver disease",
            "INR with warfarin when taking more than 2 g/day for several days",
        ],
    },
    Drug {
        generic_name: "tramadol",
        brand_names: &["Ultram", "ConZip", "Qdolo"],
        other_names: &[],
        drug_class: "Opioid agonist with serotonin and norepinephrine reuptake inhibition (Schedule IV)",
        indications: &["Pain severe enough to need an opioid when alternatives are inadequate"],
        adult_dosing: "Immediate release: 50-100 mg every 4-6 hours as needed; for better tolerance \
            start 25 mg each morning and increase by 25-50 mg every 3 days to 50 mg four times daily. \
            Maximum 400 mg/day (300 mg/day over age 75). Extended release: 100 mg once daily, \
            increased by 100 mg every 5 days; maximum 300 mg/day.",
        renal_adjustment: "CrCl < 30: immediate release every 12 hours, maximum 200 mg/day; avoid \
            extended release. Cirrhosis: 50 mg every 12 hours.",
        contraindications: &[
            "Children under 12, and under 18 after tonsillectomy or adenoidectomy",
            "Significant respiratory depression; acute or severe asthma without monitoring",
            "Known or suspected gastrointestinal obstruction, including paralytic ileus",
            "MAO inhibitors, or within 14 days of one",
            "Hypersensitivity to tramadol or opioids",
        ],
        common_adverse_effects: &[
            "Nausea, vomiting, constipation",
            "Dizziness, somnolence, headache",
            "Pruritus, sweating",
            "Seizures (dose-related) and serotonin syndrome",
            "Hypoglycemia, hyponatremia",
            "Respiratory depression, dependence, misuse and withdrawal (boxed warnings)",
        ],
        monitoring: &[
            "Pain and function; ongoing need",
            "Sedation and breathing, especially with benzodiazepines, gabapentinoids or alcohol",
            "Serotonin syndrome with serotonergic drugs; seizure risk",
            "Misuse (prescription drug monitoring program); bowel function",
            "CYP2D6 ultra-rapid metabolizers risk toxicity; CYP2D6 inhibitors blunt analgesia",
        ],
    },
    Drug {
        generic_name: "prednisone",
        brand_names: &["Rayos", "Deltasone"],
        other_names: &[],
        drug_class: "Systemic glucocorticoid (corticosteroid)",
        indications: &[
            "Asthma and COPD exacerbations",
            "Inflammatory and autoimmune disease (rheumatoid arthritis, lupus, vasculitis, polymyalgia rheumatica)",
            "Acute gout flare when NSAIDs and colchicine are unsuitable",
            "Allergic reactions and dermatologic disease",
            "Hematologic malignancy and transplant regimens",
        ],
        adult_dosing: "Highly variable: 5-60 mg/day, once each morning with food. Asthma or COPD \
            exacerbation: 40-50 mg once daily for 5 days (no taper needed). Gout flare: 30-40 mg/day \
            until improvement, then taper over 7-10 days. Polymyalgia rheumatica: 12.5-25 mg/day, \
            then slow taper. Taper courses longer than about 3 weeks (adrenal suppression).",
        renal_adjustment: "No dose adjustment.",
        contraindications: &[
            "Systemic fungal infections",
            "Hypersensitivity to prednisone",
            "Live or live-attenuated vaccines during immunosuppressive doses",
        ],
        common_adverse_effects: &[
            "Hyperglycemia",
            "Fluid retention and hypertension",
            "Insomnia, mood changes, psychosis",
            "Increased appetite and weight gain",
            "Infection risk",
            "Long-term: osteoporosis, adrenal suppression, cataract and glaucoma, myopathy, skin thinning, Cushingoid features",
        ],
        monitoring: &[
            "Blood glucose (afternoon and evening values with morning dosing) and blood pressure",
            "Weight, potassium",
            "Signs of infection",
            "Bone health (calcium, vitamin D, bone density) with 3 months or more of therapy",
            "Eye examination with long-term use; taper to avoid adrenal insufficiency",
        ],
    },
    Drug {
        generic_name: "allopurinol",
        brand_names: &["Zyloprim", "Aloprim"],
        other_names: &[],
        drug_class: "Xanthine oxidase inhibitor (urate-lowering therapy)",
        indications: &[
            "Gout (chronic urate-lowering therapy)",
            "Prevention of hyperuricemia in tumor lysis",
            "Recurrent calcium oxalate kidney stones with hyperuricosuria",
        ],
        adult_dosing: "Gout: start at 100 mg daily or less (50 mg in CKD stage 4 or worse); increase by \
            100 mg (50 mg in CKD) every 2-5 weeks to reach serum urate < 6 mg/dL; doses above 300 \
            mg are often needed; label maximum 800 mg/day. Give flare prophylaxis (colchicine, NSAID \
            or low-dose prednisone) for 3-6 months when starting.",
        renal_adjustment: "Start low (50 mg daily at CKD stage 4 or worse) and titrate slowly to the \
            urate target, above creatinine-clearance-based doses if needed, with monitoring (ACR \
            2020). Label: CrCl 10-20: 200 mg/day; CrCl < 10: 100 mg/day or less.",
        contraindications: &[
            "Previous severe reaction to allopurinol",
            "Screen for HLA-B*58:01 before starting in patients of Southeast Asian (Han Chinese, Korean, Thai) or African descent; avoid if positive",
        ],
        common_adverse_effects: &[
            "Rash (stop at the first sign)",
            "Gout flares early in treatment",
            "Nausea, diarrhea",
            "Elevated liver enzymes",
            "Allopurinol hypersensitivity syndrome, SJS/TEN or DRESS (rare; higher with HLA-B*58:01 and CKD)",
        ],
        monitoring: &[
            "Serum urate every 2-5 weeks during titration, then every 6 months",
            "Renal function, liver enzymes and CBC periodically",
            "Rash or fever",
        ],
    },
    Drug {
        generic_name: "colchicine",
        brand_names: &["Colcrys", "Mitigare", "Gloperba", "Lodoco"],
        other_names: &[],
        drug_class: "Anti-inflammatory alkaloid (microtubule inhibitor)",
        indications: &[
            "Treatment of acute gout flares",
            "Prophylaxis of gout flares",
            "Familial Mediterranean fever",
            "Reduction of cardiovascular events in atherosclerotic disease (Lodoco 0.5 mg)",
            "Pericarditis (off-label)",
        ],
        adult_dosing: "Gout flare: 1.2 mg at the first sign, then 0.6 mg 1 hour later (maximum 1.8 mg \
            in 1 hour); do not repeat within 3 days. Flare prophylaxis: 0.6 mg once or twice daily; \
            maximum 1.2 mg/day. Familial Mediterranean fever: 1.2-2.4 mg/day. Cardiovascular (Lodoco): \
            0.5 mg once daily. Reduce doses with CYP3A4 or P-gp inhibitors.",
        renal_adjustment: "Flare treatment at CrCl < 30: usual dose, but not repeated within 14 days; on \
            dialysis, a single 0.6 mg dose not repeated within 14 days. Prophylaxis at CrCl < 30: \
            start 0.3 mg/day; on dialysis, 0.3 mg twice weekly. Lodoco: avoid at CrCl < 15.",
        contraindications: &[
            "Renal or hepatic impairment together with a P-gp or strong CYP3A4 inhibitor (e.g. clarithromycin)",
            "Pre-existing blood dyscrasias, kidney failure or severe hepatic impairment (Lodoco)",
            "Hypersensitivity to colchicine",
        ],
        common_adverse_effects: &[
            "Diarrhea, nausea, vomiting, abdominal pain",
            "Myopathy and neuromyopathy (with statins, CKD or long-term use)",
            "Bone marrow suppression (rare)",
            "Fatal toxicity with overdose or interacting drugs",
        ],
        monitoring: &[
            "CBC, renal and hepatic function",
            "Muscle weakness or pain; CK with statins or renal impairment",
            "Every other medicine for CYP3A4 or P-gp inhibition",
        ],
    },
    Drug {
        generic_name: "alendronate",
        brand_names: &["Fosamax", "Binosto"],
        other_names: &[],
        drug_class: "Bisphosphonate",
        indications: &[
            "Treatment and prevention of postmenopausal osteoporosis",
            "Osteoporosis in men",
            "Glucocorticoid-induced osteoporosis",
            "Paget disease of bone",
        ],
        adult_dosing: "Treatment: 70 mg once weekly (or 10 mg daily). Prevention: 35 mg weekly (or 5 mg \
            daily). Glucocorticoid-induced: 5 mg daily (10 mg in postmenopausal women not on \
            estrogen). Paget disease: 40 mg daily for 6 months. Take on rising with 180-240 mL of \
            plain water, at least 30 minutes before food, drink or other medicines, and stay upright \
            for 30 minutes. Reassess after 5 years (drug holiday if lower risk).",
        renal_adjustment: "Not recommended at CrCl < 35.",
        contraindications: &[
            "Esophageal abnormalities that delay emptying, such as stricture or achalasia",
            "Inability to stand or sit upright for at least 30 minutes",
            "Hypocalcemia (correct first)",
            "Hypersensitivity to alendronate",
        ],
        common_adverse_effects: &[
            "Heartburn, dyspepsia, abdominal pain, nausea",
            "Esophagitis and esophageal ulcers",
            "Musculoskeletal pain",
            "Osteonecrosis of the jaw and atypical femoral fractures (rare; long-term)",
            "Hypocalcemia",
        ],
        monitoring: &[
            "Calcium and vitamin D before starting; correct deficiency",
            "Renal function",
            "Bone density (DXA) 1-2 years after starting, then periodically",
            "Dental evaluation before starting; new thigh or groin pain (atypical fracture)",
        ],
    },
];
